package io.clustermetrics;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Picks a candidate at random with probability proportional to the weight its live sample gets from the
 * selector. A candidate the store has no sample of gets weight 0.5, a fair share among nodes of unknown
 * load; one whose sample has expired gets 0, no traffic. A weight is within [0, 1] whatever a sample claims
 * (its processors count only in {@link MetricsSelector#SYSTEM_LOAD_AVERAGE}'s clamped ratio), so one sample
 * gets at most the share of an idle node, as any idle node does.
 *
 * <p>Weighted random, never argmin: with a view that is a gossip round old, clients spread their calls
 * instead of all piling onto the node that looked idlest. A pick binary-searches a cumulative-weight
 * table (O(log n)) and allocates nothing; the table is rebuilt only when the candidates or the samples
 * change, and never serves a weight older than the newest published sample. Pass an immutable candidate
 * list ({@link List#of}, {@link List#copyOf}) and reuse it to keep the check O(1). Thread-safe.
 */
public final class WeightedRoutees implements Router {

    /** The weight of a candidate the store has no sample of. */
    public static final double UNKNOWN_WEIGHT = 0.5;

    private final MetricsSelector selector;
    private final CandidateCache<Table> tables;

    /** Routes by {@code selector}'s weights of the samples in {@code metrics}. */
    public WeightedRoutees(ClusterMetrics metrics, MetricsSelector selector) {
        this.selector = selector;
        this.tables = new CandidateCache<>(metrics, selector::weight, Table::new);
    }

    /** The selector that weighs the candidates. */
    public MetricsSelector selector() {
        return selector;
    }

    /**
     * Picks a candidate using {@code seed} as the random draw: a seed in [0, 1) lands on each candidate
     * with probability weight / total weight (values outside are clamped). When every weight is 0, the
     * first candidate, as the seed crate. Empty for no candidates.
     *
     * @throws IllegalArgumentException if {@code seed} is NaN
     */
    public Optional<String> pick(List<String> candidates, double seed) {
        if (Double.isNaN(seed)) {
            throw new IllegalArgumentException("seed must be a number");
        }
        return candidates.isEmpty() ? Optional.empty() : tables.get(candidates).pick(seed);
    }

    /**
     * The candidates' total weight: 0 when none has spare capacity (all expired or fully loaded), where
     * {@link #pick(List, double)} falls back to the first candidate and {@link #pick(List)} draws uniformly.
     */
    public double totalWeight(List<String> candidates) {
        return candidates.isEmpty() ? 0.0 : tables.get(candidates).total();
    }

    /**
     * Picks a candidate with a draw from {@link ThreadLocalRandom}. Unlike the seeded pick, when every weight
     * is 0 (all expired or fully loaded) the draw is uniform, so that callers do not all pile onto the first.
     */
    @Override
    public Optional<String> pick(List<String> candidates) {
        if (candidates.isEmpty()) {
            return Optional.empty();
        }
        Table table = tables.get(candidates);
        return table.picks[draw(table)];
    }

    /** The index {@link #pick(List)} picks; -1 for no candidates. */
    @Override
    public int pickIndex(List<String> candidates) {
        return candidates.isEmpty() ? -1 : draw(tables.get(candidates));
    }

    private static int draw(Table table) {
        double seed = ThreadLocalRandom.current().nextDouble();
        return table.total() > 0.0 ? table.index(seed) : (int) (seed * table.picks.length);
    }

    /** The weights of the candidates as a cumulative table, with the answers made up front. */
    private static final class Table {

        private final double[] cumulative;
        private final Optional<String>[] picks;

        @SuppressWarnings("unchecked")
        Table(CandidateCache.Weights w) {
            int n = w.weights().length;
            cumulative = new double[n];
            picks = new Optional[n];
            double total = 0.0;
            for (int i = 0; i < n; i++) {
                double weight = w.weights()[i];
                total += Double.isNaN(weight) ? UNKNOWN_WEIGHT : Math.max(weight, 0.0);
                cumulative[i] = total;
                picks[i] = Optional.of(w.candidates().get(i));
            }
        }

        double total() {
            return cumulative[cumulative.length - 1];
        }

        /** The candidate {@link #index(double)} lands on. */
        Optional<String> pick(double seed) {
            return picks[index(seed)];
        }

        /** The first candidate whose cumulative weight exceeds the target, so weight-0 nodes are skipped. */
        int index(double seed) {
            int n = cumulative.length;
            double total = total();
            if (total <= 0.0) {
                return 0;
            }
            double target = Math.min(Math.max(seed, 0.0) * total, Math.nextDown(total));
            // Branch-free lower bound: the answer stays in [lo, lo + len) while len halves.
            int lo = 0;
            for (int len = n; len > 1; ) {
                int half = len >>> 1;
                lo = cumulative[lo + half - 1] <= target ? lo + half : lo;
                len -= half;
            }
            return lo;
        }
    }
}
