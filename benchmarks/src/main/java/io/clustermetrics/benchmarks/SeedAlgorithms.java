package io.clustermetrics.benchmarks;

import io.clustermetrics.MetricsSelector;
import io.clustermetrics.NodeMetrics;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A faithful port of the seed crate's store and picks, the baseline the benchmarks compare against: a
 * map under a read-write lock, and picks that copy the whole snapshot and build a lookup map per call.
 */
final class SeedAlgorithms {

    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private final Map<String, NodeMetrics> entries = new HashMap<>();

    void publish(NodeMetrics m) {
        lock.writeLock().lock();
        try {
            entries.put(m.address(), m);
        } finally {
            lock.writeLock().unlock();
        }
    }

    List<NodeMetrics> snapshot() {
        lock.readLock().lock();
        try {
            return new ArrayList<>(entries.values());
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The seed's {@code AdaptiveLoadBalancer::pick}: sort every candidate by CPU load, then address. */
    Optional<String> adaptivePick(List<String> candidates) {
        if (candidates.isEmpty()) {
            return Optional.empty();
        }
        Map<String, NodeMetrics> lookup = new HashMap<>();
        for (NodeMetrics m : snapshot()) {
            lookup.put(m.address(), m);
        }
        List<String> sorted = new ArrayList<>(candidates);
        sorted.sort(Comparator.<String>comparingDouble(
                        c -> lookup.containsKey(c) ? lookup.get(c).cpuLoad() : Double.POSITIVE_INFINITY)
                .thenComparing(Comparator.naturalOrder()));
        return Optional.of(sorted.get(0));
    }

    /** The seed's {@code WeightedRoutees::pick}: weights per call, then a linear scan. */
    Optional<String> weightedPick(List<String> candidates, MetricsSelector selector, double seed) {
        if (candidates.isEmpty()) {
            return Optional.empty();
        }
        Map<String, NodeMetrics> byAddr = new HashMap<>();
        for (NodeMetrics m : snapshot()) {
            byAddr.put(m.address(), m);
        }
        List<Double> weights = new ArrayList<>(candidates.size());
        for (String c : candidates) {
            NodeMetrics m = byAddr.get(c);
            weights.add(m == null ? 0.5 : selector.weight(m));
        }
        double total = 0.0;
        for (double w : weights) {
            total += w;
        }
        if (total <= 0.0) {
            return Optional.of(candidates.get(0));
        }
        double target = Math.min(Math.max(seed, 0.0) * total, total);
        double acc = 0.0;
        for (int i = 0; i < weights.size(); i++) {
            acc += weights.get(i);
            if (target <= acc) {
                return Optional.of(candidates.get(i));
            }
        }
        return Optional.of(candidates.get(candidates.size() - 1));
    }
}
