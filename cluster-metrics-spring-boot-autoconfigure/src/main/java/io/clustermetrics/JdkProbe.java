package io.clustermetrics;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;

/**
 * Reads this machine's load from the JDK's {@link OperatingSystemMXBean}, with no extra library: the
 * fallback when OSHI is not on the class path. The JDK measures CPU and memory against a container's
 * limits on Linux. CPU load is the JDK's recent system CPU load; 0 until the JDK has a reading.
 * Thread-safe.
 */
public final class JdkProbe implements MetricsProbe {

    private final OperatingSystemMXBean os = ManagementFactory.getPlatformMXBean(OperatingSystemMXBean.class);
    private final MemorySource memory;

    /** A probe of this machine reporting {@code memory}. */
    public JdkProbe(MemorySource memory) {
        this.memory = memory;
        os.getCpuLoad(); // the first reading starts the JDK's measurement
    }

    @Override
    public NodeMetrics sample(String address, long timestamp) {
        double cpu = os.getCpuLoad();
        long[] usedAndMax = memory == MemorySource.HEAP
                ? MemorySource.heap()
                : new long[] {os.getTotalMemorySize() - os.getFreeMemorySize(), os.getTotalMemorySize()};
        double loadAverage = os.getSystemLoadAverage();
        return new NodeMetrics(address, timestamp, cpu >= 0 && cpu <= 1 ? cpu : 0.0, usedAndMax[0], usedAndMax[1],
                loadAverage >= 0 ? loadAverage : NodeMetrics.UNKNOWN_LOAD_AVERAGE, os.getAvailableProcessors());
    }
}
