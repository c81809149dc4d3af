package io.clustermetrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import oshi.SystemInfo;
import oshi.software.os.CgroupInfo;

/** Reads this real machine through OSHI. */
class OshiProbeTest {

    private static final SystemInfo SYSTEM = new SystemInfo();

    /** The seed's {@code sysinfo_probe_returns_finite_load}. */
    @Test
    void sysinfoProbeReturnsFiniteLoad() {
        NodeMetrics m = new OshiProbe(MemorySource.SYSTEM).sample("a", 1);
        assertThat(m.cpuLoad()).isFinite();
        assertThat(m.memoryMax()).isGreaterThanOrEqualTo(m.memoryUsed());
    }

    @Test
    void readsThisMachine() {
        OshiProbe probe = new OshiProbe(MemorySource.SYSTEM);
        burnEveryCore(1_000);
        NodeMetrics m = probe.sample("http://127.0.0.1:8080", 42);
        assertThat(m.address()).isEqualTo("http://127.0.0.1:8080");
        assertThat(m.timestamp()).isEqualTo(42);
        assertThat(m.cpuLoad()).as("every core was busy since the previous sample").isGreaterThan(0.25);
        assertThat(m.memoryMax()).isGreaterThan(64L << 20);
        assertThat(m.memoryUsed()).isPositive().isLessThanOrEqualTo(m.memoryMax());
        assertThat(m.processors()).isEqualTo(SYSTEM.getHardware().getProcessor().getLogicalProcessorCount()).isPositive();
        assertThat(m.hasLoadAverage()).as("Linux reports a load average").isTrue();
    }

    @Test
    void heapModeReportsTheJvmHeap() {
        NodeMetrics m = new OshiProbe(MemorySource.HEAP).sample("a", 1);
        assertThat(m.memoryMax()).isEqualTo(Runtime.getRuntime().maxMemory());
        assertThat(m.memoryUsed()).isPositive().isLessThan(m.memoryMax());
    }

    @Test
    void insideACgroupMeasuresAgainstItsQuotaAndLimit() {
        long start = System.nanoTime();
        CgroupInfo halfACoreAndOneGib = new CgroupInfo() {
            @Override
            public double getEffectiveCpus() {
                return 0.5;
            }

            @Override
            public long getCpuUsage() { // the cgroup burns a quarter of a core: half its quota
                return (System.nanoTime() - start) / 4;
            }

            @Override
            public long getMemoryLimit() {
                return 1L << 30;
            }

            @Override
            public long getMemoryUsage() {
                return 1L << 28;
            }
        };
        var hardware = SYSTEM.getHardware();
        OshiProbe probe = new OshiProbe(hardware.getProcessor(), hardware.getMemory(), halfACoreAndOneGib,
                MemorySource.SYSTEM, OshiProbe.LIMITS_REFRESH);
        burnEveryCore(100);
        NodeMetrics m = probe.sample("a", 1);
        assertThat(m.cpuLoad()).isCloseTo(0.5, within(0.05));
        assertThat(m.memoryMax()).isEqualTo(1L << 30);
        assertThat(m.memoryUsage()).isEqualTo(0.25);
    }

    /** Limits are files too: read once per refresh, not per sample, and a changed limit is seen after it. */
    @Test
    void readsLimitsOncePerRefreshAndSeesThemChange() {
        AtomicInteger limitReads = new AtomicInteger();
        AtomicLong memoryLimit = new AtomicLong(1L << 30);
        CgroupInfo resizable = new CgroupInfo() {
            @Override
            public double getEffectiveCpus() {
                limitReads.incrementAndGet();
                return 2.0;
            }

            @Override
            public long getMemoryLimit() {
                limitReads.incrementAndGet();
                return memoryLimit.get();
            }

            @Override
            public long getMemoryUsage() {
                return 1L << 28;
            }
        };
        var hardware = SYSTEM.getHardware();
        OshiProbe everyHour = new OshiProbe(hardware.getProcessor(), hardware.getMemory(), resizable, MemorySource.SYSTEM,
                Duration.ofHours(1));
        IntStream.range(0, 5).forEach(i -> everyHour.sample("a", i));
        assertThat(limitReads).as("effective CPUs and memory limit, read once for five samples").hasValue(2);

        OshiProbe everySample = new OshiProbe(hardware.getProcessor(), hardware.getMemory(), resizable,
                MemorySource.SYSTEM, Duration.ZERO);
        assertThat(everySample.sample("a", 1).memoryMax()).isEqualTo(1L << 30);
        memoryLimit.set(1L << 31); // the pod was resized in place
        assertThat(everySample.sample("a", 2).memoryMax()).isEqualTo(1L << 31);
        assertThat(everyHour.sample("a", 6).memoryMax()).as("until its refresh, the old limit").isEqualTo(1L << 30);
    }

    private static void burnEveryCore(long millis) {
        long until = System.nanoTime() + millis * 1_000_000;
        IntStream.range(0, Runtime.getRuntime().availableProcessors())
                .mapToObj(i -> CompletableFuture.runAsync(() -> {
                    double x = 0;
                    while (System.nanoTime() < until) {
                        x += Math.sqrt(x + 1);
                    }
                    if (x < 0) {
                        throw new AssertionError();
                    }
                }, runnable -> new Thread(runnable).start()))
                .toList()
                .forEach(CompletableFuture::join);
    }
}
