package io.clustermetrics.benchmarks;

import java.util.SplittableRandom;

/**
 * Finagle's {@code p2cPeakEwma} as its source has it ({@code PeakEwma.scala}, {@code P2CPick.scala}): two
 * distinct uniform draws, the lower load wins, the load of a node being {@code cost × (pending + 1)}, or a
 * large penalty when it has requests pending and no latency history yet. {@code cost} is the peak EWMA of
 * the response times: a slower response replaces it, faster ones (and every read, with 0) decay it with
 * {@code w = exp(-Δt / 10 s)}. Linkerd and Tower use the same load. Per client; not thread-safe.
 */
final class FinaglePeakEwma implements Strategy.Router {

    private static final double DECAY = 10.0;
    private static final double PENALTY = (Long.MAX_VALUE >> 16) / 1e9;

    private final SplittableRandom random;
    private final int[] pending;
    private final double[] cost;
    private final double[] stamp;

    FinaglePeakEwma(SplittableRandom random, int n) {
        this.random = random;
        pending = new int[n];
        cost = new double[n];
        stamp = new double[n];
    }

    @Override
    public int pick(double now) {
        int n = pending.length;
        int a = random.nextInt(n);
        int b = random.nextInt(n - 1);
        b = b >= a ? b + 1 : b;
        return load(a, now) <= load(b, now) ? a : b;
    }

    @Override
    public Runnable sent(int backend, double now, double done) {
        pending[backend]++;
        return () -> {
            pending[backend]--;
            observe(backend, done, done - now);
        };
    }

    private double load(int i, double now) {
        observe(i, now, 0.0);
        return cost[i] == 0.0 && pending[i] != 0 ? PENALTY + pending[i] : cost[i] * (pending[i] + 1);
    }

    private void observe(int i, double now, double rtt) {
        double w = Math.exp(-Math.max(now - stamp[i], 0) / DECAY);
        cost[i] = rtt > cost[i] ? rtt : cost[i] * w + rtt * (1.0 - w);
        stamp[i] = now;
    }
}
