package io.clustermetrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Reads this real machine through the JDK's operating system bean. */
class JdkProbeTest {

    @Test
    void readsThisMachine() {
        JdkProbe probe = new JdkProbe(MemorySource.SYSTEM);
        long until = System.nanoTime() + 1_000_000_000L;
        IntStream.range(0, Runtime.getRuntime().availableProcessors())
                .mapToObj(i -> CompletableFuture.runAsync(() -> {
                    while (System.nanoTime() < until) {
                        Thread.onSpinWait();
                    }
                }, runnable -> new Thread(runnable).start()))
                .toList()
                .forEach(CompletableFuture::join);
        NodeMetrics m = probe.sample("a", 7);
        assertThat(m.cpuLoad()).as("every core was busy since the probe was made").isGreaterThan(0.25);
        assertThat(m.memoryMax()).isGreaterThan(64L << 20);
        assertThat(m.memoryUsed()).isPositive().isLessThanOrEqualTo(m.memoryMax());
        assertThat(m.processors()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(m.hasLoadAverage()).isTrue();
    }

    @Test
    void heapModeReportsTheJvmHeap() {
        NodeMetrics m = new JdkProbe(MemorySource.HEAP).sample("a", 1);
        assertThat(m.memoryMax()).isEqualTo(Runtime.getRuntime().maxMemory());
        assertThat(m.memoryUsed()).isPositive().isLessThan(m.memoryMax());
    }
}
