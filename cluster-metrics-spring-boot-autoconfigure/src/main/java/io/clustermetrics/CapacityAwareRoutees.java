package io.clustermetrics;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.StampedLock;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * Routes by what the cluster says each node can take and by what this client sees of it: power of two
 * choices, both drawn by gossiped capacity, the one with the lower cost taken.
 *
 * <ul>
 *   <li><b>Capacity</b>, from gossip: a node's processors × (½ + ½ × the selector's weight of its live
 *       sample), so a node twice the size gets twice the draws and a busy one (by what the clients cannot
 *       see, too) down to half; held within [{@value #MIN_WEIGHT}, {@value #MAX_WEIGHT}] × the median of the
 *       candidates' capacities, as gRPC's weighted round robin clamps its weights around their mean: a median,
 *       so that a minority of samples cannot move the band, whatever processors they claim. Then no candidate
 *       gets more than {@value #MAX_SHARE} of the draws. A candidate without a live sample (none yet, or
 *       expired) gets the median.
 *   <li><b>Cost</b>, from this client's own calls ({@link Load}): a latency estimate × (calls in flight + 1),
 *       as Finagle's peak EWMA. A slower response raises the estimate at once; a faster one leaves it, and
 *       it decays with a {@link #DEFAULT_DECAY} time constant, so it follows a node that has become faster. While calls are in flight the estimate is at least their
 *       mean age, so a node that stops answering (a GC pause) looks slow before any response says so.
 * </ul>
 *
 * <p>One response can double the estimate, not more, and counts at most the time since the node's previous
 * response: a node that is slower keeps answering slowly and the estimate follows within a few responses,
 * while the backlog a node clears after a stall it has recovered from (whose age already counted) arrives
 * in a burst and says nothing of the next call. A failed call counts twice the estimate, or twice this
 * router's typical response time if that is more, so a node that fails fast does not look fast. Measured
 * against Finagle, Envoy, gRPC and power of two choices in the benchmarks module's
 * {@code RoutingSimulation}.
 *
 * <p>Picks and the {@link Load} callbacks allocate nothing; a pick reads the weight table built when the
 * candidates or the samples last changed. Use one router per service called. Thread-safe.
 */
public final class CapacityAwareRoutees implements Router {

    /** Finagle's and Linkerd's decay time of the latency estimate. */
    public static final Duration DEFAULT_DECAY = Duration.ofSeconds(10);

    /** The least weight a candidate gets, as a fraction of the candidates' median. */
    public static final double MIN_WEIGHT = 0.1;

    /** The largest weight a candidate gets, as a multiple of the candidates' median. */
    public static final double MAX_WEIGHT = 10.0;

    /**
     * The largest share of the draws one candidate gets among two or more: above the 4/7 of the largest of
     * capacities 1:2:4 and the 8/15 of 1:2:4:8, so honest sets like these keep their shares, while one sample
     * claiming any number of processors among three gets 60% of the first draws, not 94%.
     */
    public static final double MAX_SHARE = 0.6;

    private final ConcurrentHashMap<String, Load> loads = new ConcurrentHashMap<>();
    private final CandidateCache<Table> tables;
    private final LongSupplier nanoClock;
    private final double decayNanos;
    /** A running mean of every response's time, what a failure counts twice of when its node has no history. */
    private volatile double typical;

    /** Routes by {@code selector}'s weights of the samples in {@code metrics}, on {@link System#nanoTime()}. */
    public CapacityAwareRoutees(ClusterMetrics metrics, MetricsSelector selector) {
        this(metrics, selector, System::nanoTime, DEFAULT_DECAY);
    }

    /**
     * @param metrics the samples the capacities come from
     * @param selector the spare fraction of a node's processors
     * @param nanoClock the time calls are measured with, in nanoseconds ({@link System#nanoTime()})
     * @param decay the time constant of the latency estimate
     */
    public CapacityAwareRoutees(ClusterMetrics metrics, MetricsSelector selector, LongSupplier nanoClock, Duration decay) {
        if (decay.isNegative() || decay.isZero()) {
            throw new IllegalArgumentException("decay must be positive, was " + decay);
        }
        this.nanoClock = nanoClock;
        this.decayNanos = decay.toNanos();
        this.tables = new CandidateCache<>(metrics,
                m -> Math.max(1, m.processors()) * (0.5 + 0.5 * selector.weight(m)), this::table);
    }

    /** The index in {@code candidates} of the one {@link #pick(List)} picks; -1 for none. */
    @Override
    public int pickIndex(List<String> candidates) {
        return candidates.isEmpty() ? -1 : pick(tables.get(candidates), ThreadLocalRandom.current());
    }

    @Override
    public Optional<String> pick(List<String> candidates) {
        return pick(candidates, ThreadLocalRandom.current());
    }

    /**
     * Picks with draws from {@code random}: the same draws on the same state give the same candidate. Empty
     * for no candidates.
     */
    public Optional<String> pick(List<String> candidates, RandomGenerator random) {
        if (candidates.isEmpty()) {
            return Optional.empty();
        }
        Table t = tables.get(candidates);
        return t.picks[pick(t, random)];
    }

    /** The index of the cheaper of two candidates drawn by weight from {@code t}. */
    private int pick(Table t, RandomGenerator random) {
        if (t.picks.length == 1) {
            return 0;
        }
        int a = t.draw(random.nextDouble());
        int b = a;
        for (int tries = 0; b == a && tries < 8; tries++) {
            b = t.draw(random.nextDouble());
        }
        if (b == a) {
            b = t.drawExcluding(random.nextDouble(), a);
        }
        long now = nanoClock.getAsLong();
        return t.loads[b].cost(now) < t.loads[a].cost(now) ? b : a;
    }

    /**
     * What this client measures of {@code candidate}: the handle to report a call's start and end to. The
     * same candidate gets the same handle while it stays among the candidates picked from.
     */
    public Load load(String candidate) {
        return loads.computeIfAbsent(candidate, c -> new Load(this));
    }

    private Table table(CandidateCache.Weights w) {
        Set<String> current = Set.copyOf(w.candidates());
        loads.entrySet().removeIf(e -> !current.contains(e.getKey()) && e.getValue().inFlight() == 0);
        return new Table(w, w.candidates().stream().map(this::load).toArray(Load[]::new));
    }

    /**
     * This client's calls to one node: how many are in flight and how long they take. {@link #start()} when a
     * call is sent, then exactly one {@link #end(long, boolean)} with its outcome, or {@link #release(long)}
     * if the outcome will never be known. Thread-safe, reads without locking; allocates nothing.
     */
    public static final class Load {

        private final CapacityAwareRoutees router;
        private final StampedLock lock = new StampedLock();
        private int inFlight;
        private long startedSum;
        private double latency;
        private long stamp;
        private long lastResponse;
        private boolean answered;

        Load(CapacityAwareRoutees router) {
            this.router = router;
            this.stamp = router.nanoClock.getAsLong();
        }

        /** Counts a call sent now; returns its start, to pass to {@link #end(long, boolean)}. */
        public long start() {
            long now = router.nanoClock.getAsLong();
            long s = lock.writeLock();
            try {
                inFlight++;
                startedSum += now;
            } finally {
                lock.unlockWrite(s);
            }
            return now;
        }

        /** Counts the end of the call {@link #start()} returned {@code started} for, and observes its latency. */
        public void end(long started, boolean failed) {
            long now = router.nanoClock.getAsLong();
            double typical = router.typical;
            double rtt = Math.max(0, now - started);
            long s = lock.writeLock();
            try {
                countEnd(started);
                double estimate = decayed(latency, stamp, now);
                if (answered) {
                    rtt = Math.min(rtt, now - lastResponse);
                }
                if (estimate > 0) {
                    rtt = Math.min(rtt, 2 * estimate);
                }
                double observed = failed ? Math.max(rtt, 2 * Math.max(estimate, typical)) : rtt;
                latency = Math.max(observed, estimate);
                stamp = now;
                lastResponse = now;
                answered = true;
            } finally {
                lock.unlockWrite(s);
            }
            if (!failed) {
                router.typical = typical == 0 ? rtt : typical + 0.05 * (rtt - typical);
            }
        }

        /** Counts the end of the call {@link #start()} returned {@code started} for, observing nothing. */
        public void release(long started) {
            long s = lock.writeLock();
            try {
                countEnd(started);
            } finally {
                lock.unlockWrite(s);
            }
        }

        /** This client's calls in flight to the node. */
        public int inFlight() {
            long s = lock.tryOptimisticRead();
            int n = inFlight;
            if (!lock.validate(s)) {
                s = lock.readLock();
                try {
                    n = inFlight;
                } finally {
                    lock.unlockRead(s);
                }
            }
            return n;
        }

        /** The latency estimate at {@code now}, in nanoseconds: the peak EWMA, at least the in-flight calls' mean age. */
        public double latency(long now) {
            return cost(now, false);
        }

        double cost(long now) {
            return cost(now, true);
        }

        /** The latency estimate, times (calls in flight + 1) if {@code perCall}: read without locking when no write races it. */
        private double cost(long now, boolean perCall) {
            long s = lock.tryOptimisticRead();
            int n = inFlight;
            long sum = startedSum;
            double l = latency;
            long at = stamp;
            if (!lock.validate(s)) {
                s = lock.readLock();
                try {
                    n = inFlight;
                    sum = startedSum;
                    l = latency;
                    at = stamp;
                } finally {
                    lock.unlockRead(s);
                }
            }
            double estimate = decayed(l, at, now);
            // Sums of nanoTime values may overflow; their difference is exact in two's complement.
            estimate = n == 0 ? estimate : Math.max(estimate, (double) (now * n - sum) / n);
            return perCall ? estimate * (n + 1) : estimate;
        }

        private void countEnd(long started) {
            if (inFlight > 0) {
                inFlight--;
                startedSum -= started;
            }
        }

        /** The estimate {@code l}, observed at {@code at}, decayed to {@code now}. */
        private double decayed(double l, long at, long now) {
            return l == 0 ? 0 : l * Math.exp(-Math.max(0, now - at) / router.decayNanos);
        }
    }

    /**
     * The candidates' weights, held around their median and capped in share, as an alias table (Vose's: a
     * draw in O(1)) and a cumulative one (for a draw that leaves one out), with their loads and answers made
     * up front.
     */
    private static final class Table {

        private final double[] weights;
        private final double[] cumulative;
        private final double[] keep;
        private final int[] alias;
        private final Load[] loads;
        private final Optional<String>[] picks;

        @SuppressWarnings("unchecked")
        Table(CandidateCache.Weights w, Load[] loads) {
            int n = w.weights().length;
            this.loads = loads;
            weights = new double[n];
            cumulative = new double[n];
            picks = new Optional[n];
            double median = median(w.weights());
            int largest = 0;
            for (int i = 0; i < n; i++) {
                double weight = w.weights()[i];
                weights[i] = weight >= 0 ? Math.min(MAX_WEIGHT * median, Math.max(MIN_WEIGHT * median, weight)) : median;
                largest = weights[i] > weights[largest] ? i : largest;
                picks[i] = Optional.of(w.candidates().get(i));
            }
            double others = Arrays.stream(weights).sum() - weights[largest];
            if (n > 1 && weights[largest] > MAX_SHARE / (1 - MAX_SHARE) * others) {
                // a share above one half: no other candidate can be above the cap too
                weights[largest] = MAX_SHARE / (1 - MAX_SHARE) * others;
            }
            double total = 0;
            for (int i = 0; i < n; i++) {
                total += weights[i];
                cumulative[i] = total;
            }
            keep = new double[n];
            alias = new int[n];
            int[] small = new int[n];
            int[] large = new int[n];
            int smalls = 0;
            int larges = 0;
            double[] scaled = new double[n];
            for (int i = 0; i < n; i++) {
                scaled[i] = weights[i] * n / total;
                if (scaled[i] < 1) {
                    small[smalls++] = i;
                } else {
                    large[larges++] = i;
                }
            }
            while (smalls > 0 && larges > 0) {
                int s = small[--smalls];
                int l = large[--larges];
                keep[s] = scaled[s];
                alias[s] = l;
                scaled[l] += scaled[s] - 1;
                if (scaled[l] < 1) {
                    small[smalls++] = l;
                } else {
                    large[larges++] = l;
                }
            }
            while (larges > 0) {
                keep[large[--larges]] = 1;
            }
            while (smalls > 0) {
                keep[small[--smalls]] = 1;
            }
        }

        /** The lower median of the live weights (not negative, not NaN); 1 if there are none. */
        private static double median(double[] raw) {
            double[] live = Arrays.stream(raw).filter(weight -> weight >= 0).sorted().toArray();
            double median = live.length == 0 ? 0 : live[(live.length - 1) / 2];
            return median > 0 ? median : 1.0;
        }

        /** The candidate {@code seed}, in [0, 1), lands on by weight. */
        int draw(double seed) {
            double x = seed * keep.length;
            int i = Math.min((int) x, keep.length - 1);
            return x - i < keep[i] ? i : alias[i];
        }

        /** The candidate {@code seed} lands on by weight, leaving out {@code excluded}. */
        int drawExcluding(double seed, int excluded) {
            double skipped = weights[excluded];
            double total = cumulative[cumulative.length - 1] - skipped;
            double target = Math.min(Math.max(seed, 0.0) * total, Math.nextDown(total));
            if (target >= cumulative[excluded] - skipped) {
                target += skipped;
            }
            int lo = 0;
            for (int len = cumulative.length; len > 1; ) {
                int half = len >>> 1;
                lo = cumulative[lo + half - 1] <= target ? lo + half : lo;
                len -= half;
            }
            return lo;
        }
    }
}
