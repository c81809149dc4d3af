package io.clustermetrics.benchmarks;

import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * Envoy's {@code LEAST_REQUEST} as {@code least_request_lb.cc} and {@code edf_scheduler.h} have it, counting
 * this client's active requests: with equal weights, {@code choice_count} 2 random draws (with replacement)
 * and the fewest active requests wins; with unequal weights, an earliest-deadline-first scheduler over
 * {@code weight / (active + 1) ^ active_request_bias} (bias 1.0), a host's weight being recomputed when it
 * is picked and re-added with deadline {@code now + 1 / weight}. Per client; not thread-safe.
 */
final class EnvoyLeastRequest implements Strategy.Router {

    private record Entry(double deadline, long order, int host) implements Comparable<Entry> {
        @Override
        public int compareTo(Entry o) {
            int c = Double.compare(deadline, o.deadline);
            return c != 0 ? c : Long.compare(order, o.order);
        }
    }

    private final SplittableRandom random;
    private final double[] weights;
    private final int[] active;
    private final boolean equalWeights;
    private final PriorityQueue<Entry> scheduler = new PriorityQueue<>();
    private long order;

    EnvoyLeastRequest(SplittableRandom random, double[] weights) {
        this.random = random;
        this.weights = weights.clone();
        this.active = new int[weights.length];
        boolean equal = true;
        for (double w : weights) {
            equal &= w == weights[0];
        }
        this.equalWeights = equal;
        for (int i = 0; i < weights.length; i++) {
            // Envoy starts each host at a random point of its first period, so clients do not move in step.
            scheduler.add(new Entry(random.nextDouble() / weights[i], order++, i));
        }
    }

    @Override
    public int pick(double now) {
        if (equalWeights) {
            int candidate = random.nextInt(active.length);
            int sampled = random.nextInt(active.length);
            return active[sampled] < active[candidate] ? sampled : candidate;
        }
        Entry e = scheduler.poll();
        int host = e.host();
        scheduler.add(new Entry(e.deadline() + 1.0 / (weights[host] / (active[host] + 1.0)), order++, host));
        return host;
    }

    @Override
    public Runnable sent(int backend, double now, double done) {
        active[backend]++;
        return () -> active[backend]--;
    }
}
