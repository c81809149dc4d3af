package io.clustermetrics.benchmarks;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * gRPC's weighted round robin (gRFC A58, grpc-java {@code WeightedRoundRobinLoadBalancer}) fed by per-call
 * ORCA reports (gRFC A51) at its defaults: every response carries its backend's utilisation and qps, which
 * set that backend's weight to {@code qps / utilisation} (reports with either at 0 are ignored; no errors
 * here, so no error penalty). A weight counts once the backend has reported for the 10 s blackout period,
 * and is dropped 3 min after its last report. Every 1 s the weights go into a {@code StaticStrideScheduler}:
 * backends without a weight get the mean, weights are capped at 10 × the mean and floored at 0.1 × the
 * mean, scaled to 0xFFFF, and picked by the stride rule; with fewer than 2 weighted backends it is round
 * robin. Per client; not thread-safe.
 */
final class GrpcWeightedRoundRobin implements Strategy.Router {

    private static final double BLACKOUT = 10.0;
    private static final double EXPIRY = 180.0;
    private static final double UPDATE = 1.0;
    private static final int MAX_WEIGHT = 0xFFFF;

    private final Strategy.Reports reports;
    private final double[] weight;
    private final double[] nonEmptySince;
    private final double[] lastUpdated;
    private final int[] scaled;
    private long sequence;
    private double nextUpdate;

    GrpcWeightedRoundRobin(SplittableRandom random, int n, Strategy.Reports reports) {
        this.reports = reports;
        weight = new double[n];
        nonEmptySince = new double[n];
        lastUpdated = new double[n];
        scaled = new int[n];
        Arrays.fill(nonEmptySince, Double.POSITIVE_INFINITY);
        Arrays.fill(scaled, 1);
        sequence = random.nextInt(1 << 30);
        nextUpdate = Double.NEGATIVE_INFINITY;
    }

    @Override
    public int pick(double now) {
        if (now >= nextUpdate) {
            updateScheduler(now);
            nextUpdate = now + UPDATE;
        }
        int n = scaled.length;
        while (true) {
            long s = sequence++;
            int backend = (int) (s % n);
            long generation = s / n;
            int w = scaled[backend];
            long offset = (long) MAX_WEIGHT / 2 * backend;
            if ((w * generation + offset) % MAX_WEIGHT >= MAX_WEIGHT - w) {
                return backend;
            }
        }
    }

    @Override
    public Runnable sent(int backend, double now, double done) {
        return () -> {
            double utilisation = reports.utilisation[backend];
            double qps = reports.qps[backend];
            if (utilisation > 0 && qps > 0) {
                if (nonEmptySince[backend] == Double.POSITIVE_INFINITY) {
                    nonEmptySince[backend] = done;
                }
                lastUpdated[backend] = done;
                weight[backend] = qps / utilisation;
            }
        };
    }

    private void updateScheduler(double now) {
        int n = weight.length;
        double[] weights = new double[n];
        double sum = 0;
        double max = 0;
        int weighted = 0;
        for (int i = 0; i < n; i++) {
            if (now - lastUpdated[i] >= EXPIRY) {
                nonEmptySince[i] = Double.POSITIVE_INFINITY;
            } else if (now - nonEmptySince[i] >= BLACKOUT) {
                weights[i] = weight[i];
                sum += weights[i];
                max = Math.max(max, weights[i]);
                weighted++;
            }
        }
        if (weighted < 2) {
            Arrays.fill(scaled, MAX_WEIGHT);
            return;
        }
        double mean = sum / weighted;
        max = Math.min(max, 10 * mean);
        double scaling = MAX_WEIGHT / max;
        int lowerBound = (int) Math.ceil(scaling * mean * 0.1);
        for (int i = 0; i < n; i++) {
            scaled[i] = weights[i] <= 0
                    ? (int) Math.round(scaling * mean)
                    : Math.max((int) Math.round(scaling * Math.min(weights[i], max)), lowerBound);
        }
    }
}
