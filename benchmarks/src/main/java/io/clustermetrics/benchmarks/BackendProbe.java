package io.clustermetrics.benchmarks;

import io.clustermetrics.MetricsProbe;
import io.clustermetrics.NodeMetrics;

/**
 * What a simulated backend's operating system would report, the raw input of the real
 * {@link io.clustermetrics.SmoothedProbe}:
 * <ul>
 *   <li>CPU load: the backend's utilisation since the previous sample (busy time / elapsed time);
 *   <li>used memory: {@link #MEMORY_BASE} plus {@link #MEMORY_PER_REQUEST} per request queued or in
 *       service, of {@link #MEMORY_MAX};
 *   <li>load average: the number of requests in the node (one runnable thread each), damped as Linux does
 *       over one minute ({@code la = la·e^(-Δt/60 s) + n·(1 - e^(-Δt/60 s))}), over {@code processors}
 *       equal to the node's capacity units.
 * </ul>
 */
final class BackendProbe implements MetricsProbe {

    static final long MEMORY_MAX = 4L << 30;
    static final long MEMORY_BASE = 1L << 30;
    static final long MEMORY_PER_REQUEST = 32L << 20;

    private final Backend backend;
    private final SimClock clock;
    private double lastAt;
    private double lastBusy;
    private double loadAverage;

    BackendProbe(Backend backend, SimClock clock) {
        this.backend = backend;
        this.clock = clock;
    }

    @Override
    public NodeMetrics sample(String address, long timestamp) {
        double now = clock.seconds();
        double busy = backend.busyUntil(now);
        double elapsed = now - lastAt;
        double cpu = elapsed > 0 ? Math.max(0.0, Math.min(1.0, (busy - lastBusy) / elapsed)) : 0.0;
        int requests = backend.inSystem(now);
        double decay = Math.exp(-elapsed / 60.0);
        loadAverage = loadAverage * decay + requests * (1.0 - decay);
        lastAt = now;
        lastBusy = busy;
        return new NodeMetrics(address, timestamp, cpu, MEMORY_BASE + requests * MEMORY_PER_REQUEST, MEMORY_MAX,
                loadAverage, (int) Math.ceil(backend.nominalCapacity()));
    }
}
