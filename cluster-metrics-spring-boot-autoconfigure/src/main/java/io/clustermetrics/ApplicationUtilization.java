package io.clustermetrics;

/**
 * How busy the application says it is, for the limits a CPU probe cannot see: a worker pool, a connection
 * pool, a downstream call's concurrency. As gRPC's ORCA {@code application_utilization}, it is sampled with
 * the rest of the node's load (see {@link UtilizationProbe}), smoothed, gossiped, and weighed by
 * {@link MetricsSelector#UTILIZATION} and {@link MetricsSelector#CPU_AND_UTILIZATION}.
 */
@FunctionalInterface
public interface ApplicationUtilization {

    /**
     * The application's utilization now, from 0 (idle) to 1 (saturated): busy workers over the pool's size,
     * say. Called on the gossip thread once per sample.
     *
     * @return a value within [0, 1]; anything else fails the sample with a clear error
     */
    double utilization();
}
