package io.clustermetrics;

import java.util.Objects;

/**
 * One sample of a node's load, as gossiped between nodes and kept by {@link ClusterMetrics}.
 *
 * <p>The constructor refuses data no probe can produce, so a stored sample is always usable by the
 * selectors: a blank address, a negative timestamp, a CPU load outside [0, 1] or not finite, negative memory, a load average
 * that is NaN or infinite, a negative processor count, or an application utilization outside [0, 1] throw
 * {@link IllegalArgumentException}.
 * {@code memoryUsed} above {@code memoryMax} is accepted (probes read the two values at different
 * instants); {@link #memoryUsage()} reports it as is and the selectors clamp it.
 *
 * @param address this node's identity, the base URL its peers reach it at
 * @param timestamp when the sample was taken, epoch milliseconds on the sampling node's clock; it
 *     orders samples of one node and is never compared with another node's clock
 * @param cpuLoad system CPU load, 0 (idle) to 1 (every processor busy)
 * @param memoryUsed memory in use, bytes
 * @param memoryMax memory available to the node, bytes; 0 when unknown
 * @param systemLoadAverage one-minute system load average; negative when unknown (as on Windows)
 * @param processors logical processors available to the node; 0 when unknown
 * @param service the service the node is an instance of (its {@code spring.application.name}), as the node
 *     itself says; null when it names none. Gossip stays among the nodes of one service, and observers of a
 *     service keep only its nodes' samples
 * @param utilization how busy the application says it is, 0 (idle) to 1 (saturated), from its
 *     {@link ApplicationUtilization} (a worker pool's busy share, say), as gRPC's ORCA
 *     {@code application_utilization}; null when it reports none, as older nodes never do
 */
public record NodeMetrics(
        String address,
        long timestamp,
        double cpuLoad,
        long memoryUsed,
        long memoryMax,
        double systemLoadAverage,
        int processors,
        String service,
        Double utilization) {

    /** The value of {@link #systemLoadAverage()} when the platform does not report one. */
    public static final double UNKNOWN_LOAD_AVERAGE = -1.0;

    /** Validates the sample; see the type's description for what is refused. */
    public NodeMetrics {
        if (address == null || address.isBlank()) {
            throw new IllegalArgumentException("address must not be blank");
        }
        if (timestamp < 0) {
            throw new IllegalArgumentException("timestamp must not be negative, was " + timestamp);
        }
        if (!(cpuLoad >= 0.0 && cpuLoad <= 1.0)) {
            throw new IllegalArgumentException("cpuLoad must be within [0, 1], was " + cpuLoad);
        }
        if (memoryUsed < 0 || memoryMax < 0) {
            throw new IllegalArgumentException(
                    "memory must not be negative, was used=" + memoryUsed + " max=" + memoryMax);
        }
        if (!Double.isFinite(systemLoadAverage)) {
            throw new IllegalArgumentException("systemLoadAverage must be finite, was " + systemLoadAverage);
        }
        if (processors < 0) {
            throw new IllegalArgumentException("processors must not be negative, was " + processors);
        }
        if (service != null && !isServiceName(service)) {
            throw new IllegalArgumentException("service must be " + SERVICE_NAME_RULE);
        }
        if (utilization != null && !(utilization >= 0.0 && utilization <= 1.0)) {
            throw new IllegalArgumentException("utilization must be within [0, 1], was " + utilization);
        }
    }

    /** What a service's name must be, as the constructor and the settings that name one say it. */
    public static final String SERVICE_NAME_RULE = "1 to 128 characters, not blank, without control characters";

    /** Whether {@code name} can name a service: see {@link #SERVICE_NAME_RULE}. */
    public static boolean isServiceName(String name) {
        return !name.isBlank() && name.length() <= 128 && name.chars().noneMatch(c -> c < 0x20 || c == 0x7f);
    }

    /** A sample without an application utilization. */
    public NodeMetrics(String address, long timestamp, double cpuLoad, long memoryUsed, long memoryMax,
            double systemLoadAverage, int processors, String service) {
        this(address, timestamp, cpuLoad, memoryUsed, memoryMax, systemLoadAverage, processors, service, null);
    }

    /** A sample that names no service. */
    public NodeMetrics(String address, long timestamp, double cpuLoad, long memoryUsed, long memoryMax,
            double systemLoadAverage, int processors) {
        this(address, timestamp, cpuLoad, memoryUsed, memoryMax, systemLoadAverage, processors, null);
    }

    /** A sample without load average or processor count, the seed's five fields. */
    public NodeMetrics(String address, long timestamp, double cpuLoad, long memoryUsed, long memoryMax) {
        this(address, timestamp, cpuLoad, memoryUsed, memoryMax, UNKNOWN_LOAD_AVERAGE, 0);
    }

    /** This sample as an instance of {@code service}. */
    public NodeMetrics withService(String service) {
        return Objects.equals(service, this.service) ? this
                : new NodeMetrics(address, timestamp, cpuLoad, memoryUsed, memoryMax, systemLoadAverage, processors, service,
                        utilization);
    }

    /** This sample stamped {@code timestamp}. */
    public NodeMetrics withTimestamp(long timestamp) {
        return timestamp == this.timestamp ? this
                : new NodeMetrics(address, timestamp, cpuLoad, memoryUsed, memoryMax, systemLoadAverage, processors, service,
                        utilization);
    }

    /** This sample with {@code utilization} as the application's (null for none). */
    public NodeMetrics withUtilization(Double utilization) {
        return Objects.equals(utilization, this.utilization) ? this
                : new NodeMetrics(address, timestamp, cpuLoad, memoryUsed, memoryMax, systemLoadAverage, processors, service,
                        utilization);
    }

    /** Used memory as a fraction of {@code memoryMax}; 0.0 when {@code memoryMax} is 0. */
    public double memoryUsage() {
        return memoryMax == 0 ? 0.0 : (double) memoryUsed / memoryMax;
    }

    /** Whether the sample carries a system load average and the processor count to scale it by. */
    public boolean hasLoadAverage() {
        return systemLoadAverage >= 0.0 && processors > 0;
    }
}
