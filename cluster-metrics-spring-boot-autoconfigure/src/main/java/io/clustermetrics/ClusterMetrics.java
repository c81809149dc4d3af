package io.clustermetrics;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

/**
 * The store of the newest sample of every known node: this node's own and those gossiped by peers.
 *
 * <p>Three rules keep it trustworthy:
 * <ul>
 *   <li><b>Newest wins.</b> A sample replaces the stored one only if its timestamp is newer, so an old or
 *       reordered message never overwrites fresher data (Akka's metrics gossip merges the same way).
 *       Timestamps are only ever compared with samples of the same node, never with this node's clock.
 *   <li><b>Expiry on the receiver's clock.</b> A node whose newest sample arrived {@code ttl} ago or more
 *       leaves {@link #snapshot()} at once, and routing ({@link WeightedRoutees}, {@link
 *       AdaptiveLoadBalancer}) at the next {@link #evictExpired()} or {@link #publish}: routing never
 *       reads the clock on its hot path, so whoever owns the store sweeps it, at the latest when
 *       {@link #nextExpiry()} comes. Its last sample is kept as a tombstone for twice the {@code ttl}
 *       more, so an older copy still circulating among peers cannot bring it back (no zombies), and
 *       routing gives it no traffic; a newer sample, from the node restarting, is accepted at once.
 *   <li><b>Bounded.</b> At most {@code maxNodes} addresses are tracked, tombstones included. When the
 *       store is full, the oldest tombstone that has been expired for at least a {@code ttl} makes room; if
 *       there is none, a sample from a new address is dropped. So under a flood of invented addresses,
 *       known live peers keep their place, and one that misses a beat has a {@code ttl} to come back.
 *   <li><b>One service an address.</b> A sample held under a service is replaced only by one of the same service
 *       while it is stored, tombstone included: a node of one service cannot rewrite what is known of another's.
 * </ul>
 *
 * <p>Thread-safe: reads are lock-free, writes are serialized.
 */
public final class ClusterMetrics {

    private static final int TOMBSTONE_TTLS = 2;

    /**
     * How far ahead of the receiver's clock a sample's timestamp may be before gossip refuses it. Timestamps only
     * order one node's samples and clocks need not agree, so the bound is wide; it keeps a sample from winning for
     * ever: a node refutes a newer-looking sample about itself by stamping its next one later
     * ({@link MetricsGossiper#sampleLocal}), which it could not do past {@code Long.MAX_VALUE}.
     */
    public static final Duration MAX_TIMESTAMP_AHEAD = Duration.ofDays(1);

    /** What {@link #weigh} writes for a candidate the store has no sample of. */
    static final double UNKNOWN = Double.NaN;

    /** What {@link #weigh} writes for a candidate whose newest sample has expired. */
    static final double EXPIRED = -1.0;

    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
    private final long ttlMillis;
    private final long tombstoneMillis;
    private final int maxNodes;
    private final InstantSource clock;
    private volatile long version;
    private long sweptAt = Long.MIN_VALUE;
    private long sweepDue = Long.MAX_VALUE;

    /** A store whose samples never expire, unbounded, on the system clock. */
    public ClusterMetrics() {
        this(null, Integer.MAX_VALUE, InstantSource.system());
    }

    /**
     * A store on the system clock.
     *
     * @param ttl how long a node stays without a newer sample before it expires; {@code null} for never
     * @param maxNodes the most addresses tracked at once, at least 1
     */
    public ClusterMetrics(Duration ttl, int maxNodes) {
        this(ttl, maxNodes, InstantSource.system());
    }

    /**
     * A store on the given clock, which decides when samples arrived and so when they expire.
     *
     * @param ttl how long a node stays without a newer sample before it expires; {@code null} for never
     * @param maxNodes the most addresses tracked at once, at least 1
     * @param clock this node's clock
     */
    public ClusterMetrics(Duration ttl, int maxNodes, InstantSource clock) {
        this(ttl, maxNodes, clock, ttl == null ? null : ttl.multipliedBy(TOMBSTONE_TTLS));
    }

    /**
     * A store whose tombstones last {@code tombstoneLifetime}: an expired node's last sample is kept that long after
     * it expires, so that no copy of it, and no message replayed within that time, brings the node back. Gossip
     * makes it outlast its clock-skew window.
     *
     * @param ttl how long a node stays without a newer sample before it expires; {@code null} for never
     * @param maxNodes the most addresses tracked at once, at least 1
     * @param clock this node's clock
     * @param tombstoneLifetime how long an expired node's last sample is kept, at least the ttl; ignored without a ttl
     */
    public ClusterMetrics(Duration ttl, int maxNodes, InstantSource clock, Duration tombstoneLifetime) {
        if (ttl != null && tombstoneLifetime != null && tombstoneLifetime.compareTo(ttl) < 0) {
            throw new IllegalArgumentException("tombstones must last at least the ttl, " + ttl + ", was " + tombstoneLifetime);
        }
        if (ttl != null && (ttl.isNegative() || ttl.isZero())) {
            throw new IllegalArgumentException("ttl must be positive, was " + ttl);
        }
        if (maxNodes < 1) {
            throw new IllegalArgumentException("maxNodes must be at least 1, was " + maxNodes);
        }
        this.ttlMillis = ttl == null ? Long.MAX_VALUE / (TOMBSTONE_TTLS + 2) : ttl.toMillis();
        this.tombstoneMillis = ttl == null ? ttlMillis * TOMBSTONE_TTLS : tombstoneLifetime.toMillis();
        this.maxNodes = maxNodes;
        this.clock = clock;
    }

    /**
     * Stores {@code m} if it is newer than what is stored for its address. A sample for a new address is
     * dropped when the store is full of live nodes.
     */
    public void publish(NodeMetrics m) {
        long now = clock.millis();
        synchronized (this) {
            Entry old = entries.get(m.address());
            if (old != null ? m.timestamp() <= old.sample.timestamp() || !sameService(old.sample, m) : !hasRoom(now)) {
                return;
            }
            entries.put(m.address(), new Entry(m, now));
            version++;
            sweepDue = Math.min(sweepDue, now + ttlMillis);
            if (now >= sweepDue) {
                sweep(now);
            }
        }
    }

    /** Whether {@code m} may replace {@code old}: an address held under a service is that service's while it is stored. */
    private static boolean sameService(NodeMetrics old, NodeMetrics m) {
        return old.service() == null || old.service().equals(m.service());
    }

    /** The live samples, sorted by address; an immutable copy. */
    public List<NodeMetrics> snapshot() {
        long now = clock.millis();
        return entries.values().stream()
                .filter(e -> e.isLive(now, ttlMillis))
                .map(Entry::sample)
                .sorted(Comparator.comparing(NodeMetrics::address))
                .toList();
    }

    /**
     * The timestamp of the newest sample stored for {@code address}, live or a tombstone: what a newer sample of it
     * must exceed to be accepted.
     */
    public OptionalLong newestTimestamp(String address) {
        Entry e = entries.get(address);
        return e == null ? OptionalLong.empty() : OptionalLong.of(e.sample.timestamp());
    }

    /** The live sample of {@code address}, if any. */
    public Optional<NodeMetrics> get(String address) {
        Entry e = entries.get(address);
        return e != null && e.isLive(clock.millis(), ttlMillis) ? Optional.of(e.sample) : Optional.empty();
    }

    /**
     * How long ago, on this node's clock, the live sample of {@code address} arrived; empty when there is
     * none.
     */
    public Optional<Duration> age(String address) {
        Entry e = entries.get(address);
        long now = clock.millis();
        return e != null && e.isLive(now, ttlMillis) ? Optional.of(Duration.ofMillis(now - e.receivedAt)) : Optional.empty();
    }

    /** The number of live nodes. */
    public int nodeCount() {
        long now = clock.millis();
        return (int) entries.values().stream().filter(e -> e.isLive(now, ttlMillis)).count();
    }

    /** Forgets {@code address} at once, without a tombstone; returns whether it was tracked. */
    public boolean remove(String address) {
        synchronized (this) {
            if (entries.remove(address) == null) {
                return false;
            }
            version++;
            return true;
        }
    }

    /**
     * Takes nodes that have expired since the last sweep out of routing, and drops the tombstones that
     * have outlived their purpose. Call it when {@link #nextExpiry()} comes, or on every tick.
     *
     * @return how many tombstones were dropped
     */
    public int evictExpired() {
        long now = clock.millis();
        synchronized (this) {
            return sweep(now);
        }
    }

    /** When the next live node expires, if none sends a newer sample first; empty when none is live. */
    public Optional<Instant> nextExpiry() {
        long now = clock.millis();
        return entries.values().stream()
                .filter(e -> e.isLive(now, ttlMillis))
                .mapToLong(e -> e.receivedAt + ttlMillis)
                .min()
                .stream()
                .mapToObj(Instant::ofEpochMilli)
                .findFirst();
    }

    private int sweep(long now) {
        long since = sweptAt;
        sweptAt = now;
        int before = entries.size();
        entries.values().removeIf(e -> e.isPurgeable(now, ttlMillis, tombstoneMillis));
        if (entries.size() != before || entries.values().stream().anyMatch(e -> e.expiredBetween(since, now, ttlMillis))) {
            version++;
        }
        sweepDue = entries.values().stream().mapToLong(e -> e.nextEvent(now, ttlMillis, tombstoneMillis)).min().orElse(Long.MAX_VALUE);
        return before - entries.size();
    }

    /** This node's clock, which decides when samples arrived and expire; gossip stamps its samples with it. */
    public InstantSource clock() {
        return clock;
    }

    /** Counts every change to what routing sees; routing tables compare it to know they are current. */
    long version() {
        return version;
    }

    /**
     * Writes into {@code out[i]} the weight {@code weight} gives the live sample of
     * {@code candidates.get(i)}: {@link #UNKNOWN} where the store has never heard of it (or forgot it),
     * {@link #EXPIRED} where its newest sample is too old.
     */
    void weigh(List<String> candidates, ToDoubleFunction<NodeMetrics> weight, double[] out) {
        long now = clock.millis();
        for (int i = 0; i < out.length; i++) {
            Entry e = entries.get(candidates.get(i));
            out[i] = e == null ? UNKNOWN : e.isLive(now, ttlMillis) ? weight.applyAsDouble(e.sample) : EXPIRED;
        }
    }

    private boolean hasRoom(long now) {
        if (entries.size() < maxNodes) {
            return true;
        }
        Optional<Map.Entry<String, Entry>> oldestTombstone = entries.entrySet().stream()
                .filter(e -> e.getValue().isEvictable(now, ttlMillis))
                .min(Comparator.comparingLong(e -> e.getValue().receivedAt));
        oldestTombstone.ifPresent(e -> entries.remove(e.getKey()));
        return oldestTombstone.isPresent();
    }

    private record Entry(NodeMetrics sample, long receivedAt) {

        boolean isLive(long now, long ttlMillis) {
            return now - receivedAt < ttlMillis;
        }

        boolean expiredBetween(long since, long now, long ttlMillis) {
            return isLive(since, ttlMillis) && !isLive(now, ttlMillis);
        }

        /** When this entry next changes state: it expires, or its tombstone may be purged. */
        long nextEvent(long now, long ttlMillis, long tombstoneMillis) {
            return receivedAt + ttlMillis + (isLive(now, ttlMillis) ? 0 : tombstoneMillis);
        }

        /** Expired for at least a ttl: its tombstone may make room in a full store. */
        boolean isEvictable(long now, long ttlMillis) {
            return !isLive(now - ttlMillis, ttlMillis);
        }

        boolean isPurgeable(long now, long ttlMillis, long tombstoneMillis) {
            return now - receivedAt >= ttlMillis + tombstoneMillis;
        }
    }
}
