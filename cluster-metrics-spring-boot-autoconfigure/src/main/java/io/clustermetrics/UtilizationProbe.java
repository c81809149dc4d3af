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
        double u = utilization.utilization();
        if (!(u >= 0.0 && u <= 1.0)) {
            throw new IllegalStateException("The application utilization must be within [0, 1], was " + u
                    + " (from " + utilization + ")");
        }
        return sample.withUtilization(u);
    }
}
