package io.clustermetrics;

import oshi.SystemInfo;
import oshi.hardware.CentralProcessor;
import oshi.hardware.GlobalMemory;
import oshi.software.os.CgroupInfo;

/**
 * Reads this machine's load with OSHI: CPU load since the previous sample, memory in use, the one-minute
 * load average and the processor count.
 *
 * <p>Inside a container (or any Linux cgroup with limits), CPU and memory are measured against the
 * cgroup's quota and limit, not the host's: a pod limited to two cores on a 64-core host is busy when it
 * uses its two cores. The load average is host-wide, so it is scaled by the host's processors.
 *
 * <p>Construction costs about half a second (OSHI reads the processor topology); build one and keep it.
 * A sample never sleeps: CPU load is the change between the previous sample's counters and now, and the
 * first sample measures from construction, never the average since boot. Samples taken within OSHI's
 * 300 ms cache window repeat the previous load. Thread-safe.
 */
public final class OshiProbe implements MetricsProbe {

    private final CentralProcessor processor;
    private final GlobalMemory memory;
    private final CgroupInfo cgroup;
    private final MemorySource memorySource;
    private long[] previousTicks;
    private long previousCgroupCpuNanos;
    private long previousNanoTime;
    private double cpuLoad;

    /** A probe of this machine reporting {@code memory}. */
    public OshiProbe(MemorySource memory) {
        this(new SystemInfo(), memory);
    }

    private OshiProbe(SystemInfo system, MemorySource memory) {
        this(system.getHardware().getProcessor(), system.getHardware().getMemory(),
                system.getOperatingSystem().getCgroupInfo(), memory);
    }

    /** A probe over the given OSHI parts; {@code cgroup} decides whether container limits apply. */
    OshiProbe(CentralProcessor processor, GlobalMemory memory, CgroupInfo cgroup, MemorySource memorySource) {
        this.processor = processor;
        this.memory = memory;
        this.cgroup = cgroup;
        this.memorySource = memorySource;
        this.previousTicks = processor.getSystemCpuLoadTicks().clone();
        this.previousCgroupCpuNanos = cgroup.getCpuUsage();
        this.previousNanoTime = System.nanoTime();
    }

    @Override
    public synchronized NodeMetrics sample(String address, long timestamp) {
        cpuLoad = Math.min(1.0, Math.max(0.0, cgroup.getEffectiveCpus() > 0 ? containerCpuLoad() : hostCpuLoad()));
        long used;
        long max;
        if (memorySource == MemorySource.HEAP) {
            long[] heap = MemorySource.heap();
            used = heap[0];
            max = heap[1];
        } else if (cgroup.getMemoryLimit() != CgroupInfo.UNLIMITED_MEMORY && cgroup.getMemoryUsage() > 0) {
            used = cgroup.getMemoryUsage();
            max = cgroup.getMemoryLimit();
        } else {
            max = memory.getTotal();
            used = max - memory.getAvailable();
        }
        double loadAverage = processor.getSystemLoadAverage(1)[0];
        return new NodeMetrics(address, timestamp, cpuLoad, Math.max(0, used), max,
                loadAverage >= 0 ? loadAverage : NodeMetrics.UNKNOWN_LOAD_AVERAGE, processor.getLogicalProcessorCount());
    }

    /** Busy ticks over all ticks since the previous sample; the previous load if no tick has passed. */
    private double hostCpuLoad() {
        long[] ticks = processor.getSystemCpuLoadTicks();
        if (ticks == previousTicks || java.util.Arrays.equals(ticks, previousTicks)) {
            return cpuLoad;
        }
        double load = processor.getSystemCpuLoadBetweenTicks(previousTicks, ticks);
        previousTicks = ticks.clone();
        return load;
    }

    /** CPU time the cgroup used since the previous sample, over the time its quota allowed. */
    private double containerCpuLoad() {
        long usage = cgroup.getCpuUsage();
        long now = System.nanoTime();
        long elapsed = now - previousNanoTime;
        if (elapsed <= 0 || usage < previousCgroupCpuNanos) {
            return cpuLoad;
        }
        double load = (usage - previousCgroupCpuNanos) / (elapsed * cgroup.getEffectiveCpus());
        previousCgroupCpuNanos = usage;
        previousNanoTime = now;
        return load;
    }
}
