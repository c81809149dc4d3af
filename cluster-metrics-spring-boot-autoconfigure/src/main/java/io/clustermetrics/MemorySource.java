package io.clustermetrics;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;

/** Which memory a probe reports as used and max. */
public enum MemorySource {

    /** The machine's or container's memory: what the operating system can still hand out. */
    SYSTEM,

    /** The JVM heap: what usually limits a JVM node first. */
    HEAP;

    /** The JVM heap's {@code {used, max}} in bytes; max falls back to the committed size when unbounded. */
    static long[] heap() {
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return new long[] {heap.getUsed(), heap.getMax() > 0 ? heap.getMax() : heap.getCommitted()};
    }
}
