package io.clustermetrics;

/**
 * A probe that always reports the same load: for tests, demos, and as a baseline when no real probe is
 * wired.
 *
 * @param cpuLoad the CPU load to report, within [0, 1]
 * @param memoryUsed the used memory to report, bytes
 * @param memoryMax the memory limit to report, bytes
 */
public record StaticProbe(double cpuLoad, long memoryUsed, long memoryMax) implements MetricsProbe {

    /** Validates the values once, so that {@link #sample} cannot fail later. */
    public StaticProbe {
        new NodeMetrics("static", 0, cpuLoad, memoryUsed, memoryMax);
    }

    @Override
    public NodeMetrics sample(String address, long timestamp) {
        return new NodeMetrics(address, timestamp, cpuLoad, memoryUsed, memoryMax);
    }
}
