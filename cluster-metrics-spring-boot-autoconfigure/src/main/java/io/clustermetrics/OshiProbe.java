package io.clustermetrics;

import java.time.Duration;
import java.util.Arrays;
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
 * 300 ms cache window repeat the previous load. The machine's fixed figures (processor count, total
 * memory, the cgroup's CPU quota and memory limit) are read once every {@link #LIMITS_REFRESH}, not on
 * every sample, so that a sample reads three files: CPU, memory in use and the load average. Thread-safe.
 */
public final class OshiProbe implements MetricsProbe {

    /** How often the fixed figures are read again: a pod resized in place is measured against its new limits after this. */
    public static final Duration LIMITS_REFRESH = Duration.ofMinutes(1);

    private final CentralProcessor processor;
    private final GlobalMemory memory;
    private final CgroupInfo cgroup;
    private final MemorySource memorySource;
    private final long limitsRefreshNanos;
    private Limits limits;
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
                system.getOperatingSystem().getCgroupInfo(), memory, LIMITS_REFRESH);
    }

    /**
     * A probe over the given OSHI parts; {@code cgroup} decides whether container limits apply, read again
     * every {@code limitsRefresh}.
     */
    OshiProbe(CentralProcessor processor, GlobalMemory memory, CgroupInfo cgroup, MemorySource memorySource,
            Duration limitsRefresh) {
        this.processor = processor;
        this.memory = memory;
        this.cgroup = cgroup;
        this.memorySource = memorySource;
        this.limitsRefreshNanos = limitsRefresh.toNanos();
        this.limits = readLimits();
        this.previousTicks = processor.getSystemCpuLoadTicks().clone();
        this.previousCgroupCpuNanos = cgroup.getCpuUsage();
        this.previousNanoTime = System.nanoTime();
    }

    @Override
    public synchronized NodeMetrics sample(String address, long timestamp) {
        Limits l = currentLimits();
        cpuLoad = Math.min(1.0, Math.max(0.0, l.effectiveCpus > 0 ? containerCpuLoad(l.effectiveCpus) : hostCpuLoad()));
        long used;
        long max;
        if (memorySource == MemorySource.HEAP) {
            long[] heap = MemorySource.heap();
            used = heap[0];
            max = heap[1];
        } else if (l.memoryLimit != CgroupInfo.UNLIMITED_MEMORY && (used = cgroup.getMemoryUsage()) > 0) {
            max = l.memoryLimit;
        } else {
            max = l.memoryTotal;
            used = max - memory.getAvailable();
        }
        double loadAverage = processor.getSystemLoadAverage(1)[0];
        return new NodeMetrics(address, timestamp, cpuLoad, Math.max(0, used), max,
                loadAverage >= 0 ? loadAverage : NodeMetrics.UNKNOWN_LOAD_AVERAGE, l.processors);
    }

    /** The machine's fixed figures, read again once they are {@link #limitsRefreshNanos} old. */
    private Limits currentLimits() {
        if (System.nanoTime() - limits.readAt >= limitsRefreshNanos) {
            limits = readLimits();
        }
        return limits;
    }

    private Limits readLimits() {
        return new Limits(cgroup.getEffectiveCpus(), cgroup.getMemoryLimit(), memory.getTotal(),
                processor.getLogicalProcessorCount(), System.nanoTime());
    }

    /** What rarely changes: the cgroup's CPUs (not above 0 when unlimited) and memory limit, the machine's memory and processors. */
    private record Limits(double effectiveCpus, long memoryLimit, long memoryTotal, int processors, long readAt) {}

    /** Busy ticks over all ticks since the previous sample; the previous load if no tick has passed. */
    private double hostCpuLoad() {
        long[] ticks = processor.getSystemCpuLoadTicks();
        if (ticks == previousTicks || Arrays.equals(ticks, previousTicks)) {
            return cpuLoad;
        }
        double load = processor.getSystemCpuLoadBetweenTicks(previousTicks, ticks);
        previousTicks = ticks.clone();
        return load;
    }

    /** CPU time the cgroup used since the previous sample, over the time its quota allowed. */
    private double containerCpuLoad(double effectiveCpus) {
        long usage = cgroup.getCpuUsage();
        long now = System.nanoTime();
        long elapsed = now - previousNanoTime;
        if (elapsed <= 0 || usage < previousCgroupCpuNanos) {
            return cpuLoad;
        }
        double load = (usage - previousCgroupCpuNanos) / (elapsed * effectiveCpus);
        previousCgroupCpuNanos = usage;
        previousNanoTime = now;
        return load;
    }
}
