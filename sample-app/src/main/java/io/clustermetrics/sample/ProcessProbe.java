package io.clustermetrics.sample;

import com.sun.management.OperatingSystemMXBean;
import io.clustermetrics.MetricsProbe;
import io.clustermetrics.NodeMetrics;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryUsage;

/**
 * This JVM's own load: the CPU time the process used since the previous sample over the time all
 * available processors had, and the heap in use over its maximum. The starter smooths the samples.
 */
public final class ProcessProbe implements MetricsProbe {

    private final OperatingSystemMXBean os = ManagementFactory.getPlatformMXBean(OperatingSystemMXBean.class);
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final int processors = Runtime.getRuntime().availableProcessors();
    private long previousCpuNanos = os.getProcessCpuTime();
    private long previousNanoTime = System.nanoTime();

    /** Samples this process. */
    @Override
    public synchronized NodeMetrics sample(String address, long timestamp) {
        long cpuNanos = os.getProcessCpuTime();
        long now = System.nanoTime();
        double cpuLoad = cpuNanos < 0 ? 0.0 // not supported on this platform
                : (double) (cpuNanos - previousCpuNanos) / Math.max(1, now - previousNanoTime) / processors;
        previousCpuNanos = cpuNanos;
        previousNanoTime = now;
        MemoryUsage heap = memory.getHeapMemoryUsage();
        long max = heap.getMax() > 0 ? heap.getMax() : heap.getCommitted();
        double loadAverage = os.getSystemLoadAverage();
        return new NodeMetrics(address, timestamp, Math.min(1.0, Math.max(0.0, cpuLoad)), heap.getUsed(), max,
                loadAverage >= 0 ? loadAverage : NodeMetrics.UNKNOWN_LOAD_AVERAGE, processors);
    }
}
