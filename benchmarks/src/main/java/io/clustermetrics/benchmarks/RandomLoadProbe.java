package io.clustermetrics.benchmarks;

import io.clustermetrics.MetricsProbe;
import io.clustermetrics.NodeMetrics;
import java.util.SplittableRandom;

/**
 * A probe reading random loads from a seeded stream: an 8-processor node with 16 GiB. Wrapped in the real
 * {@link io.clustermetrics.SmoothedProbe}, it gives samples with every field filled and full-precision
 * decimals, as a real node's, so that message sizes are realistic.
 */
final class RandomLoadProbe implements MetricsProbe {

    private static final long MEMORY_MAX = 16L << 30;

    private final SplittableRandom random;

    RandomLoadProbe(SplittableRandom random) {
        this.random = random;
    }

    @Override
    public NodeMetrics sample(String address, long timestamp) {
        return new NodeMetrics(address, timestamp, random.nextDouble(), random.nextLong(MEMORY_MAX), MEMORY_MAX,
                8 * random.nextDouble(), 8);
    }
}
