package io.clustermetrics.benchmarks;

import io.clustermetrics.AdaptiveLoadBalancer;
import io.clustermetrics.ClusterMetrics;
import io.clustermetrics.MetricsSelector;
import io.clustermetrics.NodeMetrics;
import io.clustermetrics.WeightedRoutees;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The two picks against the seed crate's algorithm, on the same samples, at 3, 100 and 1,000 candidates.
 * Run with {@code -prof gc} for bytes per pick (see BENCHMARKS.md).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PickBenchmark {

    /** How many candidates a pick chooses among. */
    @Param({"3", "100", "1000"})
    public int candidates;

    private List<String> addresses;
    private WeightedRoutees routees;
    private AdaptiveLoadBalancer balancer;
    private SeedAlgorithms seed;

    /** Publishes one sample per candidate, with loads drawn from a fixed seed, into both stores. */
    @Setup
    public void setUp() {
        addresses = IntStream.range(0, candidates).mapToObj(i -> "http://10.0.0." + i + ":8080").toList();
        addresses = List.copyOf(addresses);
        ClusterMetrics metrics = new ClusterMetrics();
        seed = new SeedAlgorithms();
        SplittableRandom random = new SplittableRandom(7);
        for (String address : addresses) {
            NodeMetrics m = new NodeMetrics(address, 1, random.nextDouble(), random.nextLong(1, 1 << 30), 1 << 30);
            metrics.publish(m);
            seed.publish(m);
        }
        routees = new WeightedRoutees(metrics, MetricsSelector.MIX);
        balancer = new AdaptiveLoadBalancer(metrics);
    }

    /** {@link WeightedRoutees#pick(List)}: a binary search in a cached table. */
    @Benchmark
    public Optional<String> weightedPick() {
        return routees.pick(addresses);
    }

    /** The seed's weighted pick: snapshot, lookup map and weights per call, linear scan. */
    @Benchmark
    public Optional<String> seedWeightedPick() {
        return seed.weightedPick(addresses, MetricsSelector.MIX, ThreadLocalRandom.current().nextDouble());
    }

    /** {@link AdaptiveLoadBalancer#pick(List)}: the cached argmin. */
    @Benchmark
    public Optional<String> adaptivePick() {
        return balancer.pick(addresses);
    }

    /** The seed's adaptive pick: snapshot, lookup map and a sort per call. */
    @Benchmark
    public Optional<String> seedAdaptivePick() {
        return seed.adaptivePick(addresses);
    }
}
