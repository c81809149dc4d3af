package io.clustermetrics.benchmarks;

import io.clustermetrics.JdkProbe;
import io.clustermetrics.MemorySource;
import io.clustermetrics.MetricsProbe;
import io.clustermetrics.NodeMetrics;
import io.clustermetrics.OshiProbe;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import oshi.util.GlobalConfig;

/**
 * What one {@link MetricsProbe#sample} costs: {@link OshiProbe} and {@link JdkProbe}, reporting system
 * memory or the heap. OSHI caches its readings for 300 ms, so a tight loop mostly measures the cache:
 * {@code oshiCacheMillis=0} turns the cache off (set before OSHI is first used, in a fork of its own, as
 * JMH gives every parameter combination), so that every call reads {@code /proc} and the cgroup files, as
 * a sample every second or three does in production. The JDK probe has no such cache; its figures at both
 * values are the same code, a measure of the run's noise.
 *
 * <p>A tight loop also runs JIT-compiled code with warm file caches, which a sample a second never has.
 * For the production cadence, run single shots with a pause before each:
 * {@code -bm ss -wi 5 -i 20 -p pauseMillis=1000 -p oshiCacheMillis=300}: one sample a second, OSHI's
 * cache expired every time, as in a node's first minutes, when the probe's code still runs in the
 * interpreter. A node that has run for a while has had it compiled: add {@code -p oshiCacheMillis=0
 * -p warmupSamples=5000} to take that many samples in a tight loop first (OSHI's cache off, so that the
 * file-reading code is what gets compiled), then the single shots.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ProbeBenchmark {

    /** The probe and the memory it reports. */
    @Param({"OSHI_SYSTEM", "OSHI_HEAP", "JDK_SYSTEM", "JDK_HEAP"})
    public String probe;

    /** OSHI's cache expiry in milliseconds: 300 is OSHI's default, 0 reads the system on every call. */
    @Param({"300", "0"})
    public int oshiCacheMillis;

    /** A pause before every iteration (for single-shot runs at the production cadence); 0 for none. */
    @Param({"0"})
    public int pauseMillis;

    /** Samples taken in a tight loop before the first measured one, for the JIT to compile the probe. */
    @Param({"0"})
    public int warmupSamples;

    private MetricsProbe sampler;
    private long timestamp;

    /** Sets OSHI's cache expiry, then builds the probe (OSHI reads its settings when first used). */
    @Setup
    public void setUp() {
        GlobalConfig.set(GlobalConfig.OSHI_UTIL_MEMOIZER_EXPIRATION, oshiCacheMillis);
        MemorySource memory = probe.endsWith("HEAP") ? MemorySource.HEAP : MemorySource.SYSTEM;
        sampler = probe.startsWith("OSHI") ? new OshiProbe(memory) : new JdkProbe(memory);
        for (int i = 0; i < warmupSamples; i++) {
            sampler.sample("http://127.0.0.1:8081", ++timestamp);
        }
    }

    /** Waits {@code pauseMillis}, outside the measured time. */
    @Setup(Level.Iteration)
    public void pause() throws InterruptedException {
        Thread.sleep(pauseMillis);
    }

    /** One sample, as the starter takes every {@code sample-interval}. */
    @Benchmark
    public NodeMetrics sample() {
        return sampler.sample("http://127.0.0.1:8081", ++timestamp);
    }
}
