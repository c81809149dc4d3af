package io.clustermetrics;

/**
 * Another probe's samples with the application's {@link ApplicationUtilization} added.
 *
 * <p>A value outside [0, 1] (NaN included), or a source that throws, fails the sample with an
 * {@link IllegalStateException} that says so: the node then reports a failing probe and its sample is not
 * refreshed, rather than gossiping a made-up utilization.
 *
 * @param probe the probe of the node's CPU and memory
 * @param utilization the application's own measure of how busy it is
 */
public record UtilizationProbe(MetricsProbe probe, ApplicationUtilization utilization) implements MetricsProbe {

    @Override
    public NodeMetrics sample(String address, long timestamp) {
        NodeMetrics sample = probe.sample(address, timestamp);
        double value = utilization.utilization();
        try {
            return sample.withUtilization(value); // NodeMetrics checks the bounds
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("The application " + e.getMessage() + " (from " + utilization + ")", e);
        }
    }
}
