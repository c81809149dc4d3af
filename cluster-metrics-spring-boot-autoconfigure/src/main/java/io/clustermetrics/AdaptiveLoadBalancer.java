package io.clustermetrics;

import java.util.List;
import java.util.Optional;

/**
 * Picks the candidate with the most spare capacity by the selector (by default {@link MetricsSelector#CPU}:
 * the lowest CPU load), ties broken by address; candidates without a sample come after those with one,
 * in address order, so with no metrics at all the pick is the first address; candidates whose sample
 * has expired come last.
 *
 * <p>Deterministic: every caller with the same view picks the same node, which is right for choosing a
 * leader or a home for one job, and wrong for spreading many calls (use {@link WeightedRoutees}). The
 * answer is computed once per change of candidates or samples; a pick allocates nothing. Thread-safe.
 */
public final class AdaptiveLoadBalancer {

    private final MetricsSelector selector;
    private final CandidateCache<Optional<String>> best;

    /** Picks by lowest CPU load, as the seed. */
    public AdaptiveLoadBalancer(ClusterMetrics metrics) {
        this(metrics, MetricsSelector.CPU);
    }

    /** Picks by the highest weight {@code selector} gives. */
    public AdaptiveLoadBalancer(ClusterMetrics metrics, MetricsSelector selector) {
        this.selector = selector;
        this.best = new CandidateCache<>(metrics, selector::weight, AdaptiveLoadBalancer::best);
    }

    /** The selector that ranks the candidates. */
    public MetricsSelector selector() {
        return selector;
    }

    /** The candidate with the most spare capacity; empty for no candidates. */
    public Optional<String> pick(List<String> candidates) {
        return candidates.isEmpty() ? Optional.empty() : best.get(candidates);
    }

    private static Optional<String> best(CandidateCache.Weights w) {
        int best = 0;
        for (int i = 1; i < w.weights().length; i++) {
            if (isBetter(w.weights()[i], w.candidates().get(i), w.weights()[best], w.candidates().get(best))) {
                best = i;
            }
        }
        return Optional.of(w.candidates().get(best));
    }

    /** Live beats unknown beats expired, a higher weight beats a lower one, then the smaller address wins. */
    private static boolean isBetter(double weight, String address, double bestWeight, String bestAddress) {
        if (rank(weight) != rank(bestWeight)) {
            return rank(weight) > rank(bestWeight);
        }
        if (weight > bestWeight || weight < bestWeight) {
            return weight > bestWeight;
        }
        return address.compareTo(bestAddress) < 0;
    }

    private static int rank(double weight) {
        return Double.isNaN(weight) ? 1 : weight < 0 ? 0 : 2;
    }
}
