package io.clustermetrics;

import java.util.List;
import java.util.RandomAccess;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * Holds one value computed from a candidate list and the store, and recomputes it only when the list
 * or the store's {@link ClusterMetrics#version() version} has changed. Reading a current value reads no
 * clock and allocates nothing.
 *
 * <p>An immutable candidate list ({@link List#of}, {@link List#copyOf}) passed again is recognized by
 * identity in O(1); any other list is compared element by element, without allocating if it is
 * {@link RandomAccess}.
 */
final class CandidateCache<T> {

    /** What a value was computed from, and the value. */
    record Computed<T>(List<String> candidates, long version, T value) {}

    private final ClusterMetrics metrics;
    private final ToDoubleFunction<NodeMetrics> weight;
    private final Function<Weights, T> compute;
    private volatile Computed<T> current;

    /**
     * The weights of a candidate list: {@link ClusterMetrics#UNKNOWN} (NaN) where the store has no
     * sample, {@link ClusterMetrics#EXPIRED} (negative) where the sample has expired.
     */
    record Weights(List<String> candidates, double[] weights) {}

    CandidateCache(ClusterMetrics metrics, ToDoubleFunction<NodeMetrics> weight, Function<Weights, T> compute) {
        this.metrics = metrics;
        this.weight = weight;
        this.compute = compute;
    }

    /** The value for {@code candidates}, recomputed if it is not current. */
    T get(List<String> candidates) {
        long version = metrics.version();
        Computed<T> c = current;
        if (c != null && c.version == version && sameCandidates(c.candidates, candidates)) {
            return c.value;
        }
        List<String> frozen = List.copyOf(candidates);
        double[] weights = new double[frozen.size()];
        metrics.weigh(frozen, weight, weights);
        c = new Computed<>(frozen, version, compute.apply(new Weights(frozen, weights)));
        current = c;
        return c.value;
    }

    private static boolean sameCandidates(List<String> frozen, List<String> candidates) {
        if (frozen == candidates) {
            return true;
        }
        if (!(candidates instanceof RandomAccess)) {
            return frozen.equals(candidates);
        }
        int n = frozen.size();
        if (candidates.size() != n) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (!frozen.get(i).equals(candidates.get(i))) {
                return false;
            }
        }
        return true;
    }
}
