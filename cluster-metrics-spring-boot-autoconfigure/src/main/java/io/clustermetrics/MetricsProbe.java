package io.clustermetrics;

/** Samples the local node's load. Implementations must be safe to call from one thread at a time. */
@FunctionalInterface
public interface MetricsProbe {

    /**
     * Takes one sample.
     *
     * @param address the address to stamp on the sample, this node's identity
     * @param timestamp the time to stamp on the sample, epoch milliseconds
     * @return the sample; never {@code null}
     */
    NodeMetrics sample(String address, long timestamp);
}
