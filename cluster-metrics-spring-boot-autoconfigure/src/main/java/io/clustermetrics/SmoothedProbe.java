package io.clustermetrics;

import java.time.Duration;

/**
 * Smooths another probe's successive samples with an {@link Ewma} per reading, as Akka's metrics collector
 * does, so that a single spike does not swing routing. CPU load, used memory, load average and the
 * application's utilization are smoothed; the memory limit, processor count and service are passed through. The first sample starts the
 * averages. Thread-safe.
 */
public final class SmoothedProbe implements MetricsProbe {

    private final MetricsProbe delegate;
    private final double alpha;
    private Ewma cpu;
    private Ewma memory;
    private Ewma loadAverage;
    private Ewma utilization;

    /**
     * @param delegate the probe whose samples are smoothed
     * @param halfLifeSamples after how many samples an old reading's weight has halved
     */
    public SmoothedProbe(MetricsProbe delegate, double halfLifeSamples) {
        this.delegate = delegate;
        this.alpha = Ewma.fromHalfLife(0.0, halfLifeSamples).alpha();
    }

    /** A probe sampled every {@code interval} whose readings' weight halves every {@code halfLife}. */
    public SmoothedProbe(MetricsProbe delegate, Duration halfLife, Duration interval) {
        this(delegate, (double) halfLife.toNanos() / interval.toNanos());
    }

    @Override
    public synchronized NodeMetrics sample(String address, long timestamp) {
        NodeMetrics raw = delegate.sample(address, timestamp);
        if (cpu == null || raw.hasLoadAverage() != (loadAverage != null)
                || (raw.utilization() != null) != (utilization != null)) {
            cpu = new Ewma(raw.cpuLoad(), alpha);
            memory = new Ewma(raw.memoryUsed(), alpha);
            loadAverage = raw.hasLoadAverage() ? new Ewma(raw.systemLoadAverage(), alpha) : null;
            utilization = raw.utilization() != null ? new Ewma(raw.utilization(), alpha) : null;
            return raw;
        }
        return new NodeMetrics(
                raw.address(),
                raw.timestamp(),
                unit(cpu.update(raw.cpuLoad())),
                Math.round(memory.update(raw.memoryUsed())),
                raw.memoryMax(),
                loadAverage == null ? raw.systemLoadAverage() : loadAverage.update(raw.systemLoadAverage()),
                raw.processors(),
                raw.service(),
                utilization == null ? null : unit(utilization.update(raw.utilization())));
    }

    private static double unit(double value) {
        return Math.min(1.0, Math.max(0.0, value));
    }
}
