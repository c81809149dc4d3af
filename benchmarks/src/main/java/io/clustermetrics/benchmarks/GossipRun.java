package io.clustermetrics.benchmarks;

import io.clustermetrics.ClusterMetrics;
import io.clustermetrics.MetricsGossip;
import io.clustermetrics.MetricsGossiper;
import io.clustermetrics.MetricsPdu;
import io.clustermetrics.MetricsTransport;
import io.clustermetrics.NodeMetrics;
import io.clustermetrics.SmoothedProbe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * One run of the gossip simulation: {@code nodes} nodes, each with a real {@link ClusterMetrics} store on
 * the simulated clock and a real {@link SmoothedProbe} (12 s half-life), exchanging samples over an
 * in-memory transport that delivers each message body at once or drops it with probability {@code loss}.
 *
 * <p>Time runs as in the starter: node {@code i} starts at a random phase within the first 3 s, samples
 * every 3 s from then, and gossips every 3 s from 1.5 s after its start. Every node lists every other
 * (static peers or discovery), as the production peers setting. A message reaches its receiver at once
 * (network latency is negligible next to the 3 s interval), so a sample can travel several hops in one
 * interval when the phases line up.
 *
 * <p>Two protocols:
 * <ul>
 *   <li>{@link Protocol#FULL_STATE}: the real {@link MetricsGossiper#gossipRound()}, which sends the whole
 *       live view as a {@link MetricsPdu.PushBatch} to {@code fanout} random peers, split into bodies of at
 *       most 64 KiB as {@code GossipCodec} splits it; the receiver merges each body with
 *       {@link MetricsGossip#apply}.
 *   <li>{@link Protocol#DIGEST_DELTA}: a push-pull exchange with each of {@code fanout} random peers: the
 *       initiator sends a {@link WireSize.Digest} of its view (address → newest timestamp); the peer answers
 *       with a {@link WireSize.Delta}, the samples it holds newer and the addresses it wants; the initiator
 *       merges them and pushes the wanted samples as a {@code PushBatch}. Three bodies per exchange, each
 *       of which may be lost; merges go through the same real {@code MetricsGossip.apply}.
 * </ul>
 *
 * <p>Two modes: {@link Mode#CONVERGE} samples every node once, at its start, and counts the 3 s rounds
 * until every node holds every other node's sample, with expiry off; {@link Mode#STEADY} samples every 3 s
 * as in production (15 s ttl) and measures traffic and freshness once {@code warmup} rounds have passed.
 * Deterministic for a seed.
 */
final class GossipRun {

    static final long INTERVAL_MILLIS = 3000;
    static final Duration TTL = Duration.ofSeconds(15);

    /** How nodes exchange samples. */
    enum Protocol {
        /** The real gossip: the whole view pushed to {@code fanout} peers. */
        FULL_STATE("full-state push (MetricsGossiper)"),
        /** Digest, then only what each side lacks, with {@code fanout} peers. */
        DIGEST_DELTA("digest/delta push-pull");

        private final String label;

        Protocol(String label) {
            this.label = label;
        }

        String label() {
            return label;
        }
    }

    /** What a run measures. */
    enum Mode {
        /** One sample per node; rounds until every node holds all of them. */
        CONVERGE,
        /** A sample per node every round; traffic and freshness in the steady state. */
        STEADY
    }

    /**
     * What to simulate.
     *
     * @param nodes cluster size
     * @param fanout peers per round
     * @param loss probability that a message body is lost
     * @param protocol how samples are exchanged
     * @param mode what is measured
     * @param warmup rounds before measuring (steady mode)
     * @param rounds rounds measured (steady mode), or the most rounds to wait for convergence
     * @param seed the seed of every random draw
     */
    record Setup(int nodes, int fanout, double loss, Protocol protocol, Mode mode, int warmup, int rounds, long seed) {}

    /**
     * What a run measured.
     *
     * @param setup what was simulated
     * @param roundsToConverge converge mode: rounds until every node held every sample, or -1 if not
     *     within {@code rounds}
     * @param bodiesPerNodeRound message bodies sent (requests and non-empty answers), per node per round
     * @param bytesPerNodeRound bytes of bodies sent, per node per round
     * @param meanAge steady mode: the mean age of the samples the nodes hold of each other, in rounds
     * @param maxAge steady mode: the oldest sample any node held of another, in rounds
     * @param missing steady mode: the fraction of (node, other node) pairs with no live sample
     * @param fullViewBodies the bodies a full-state push of node 0's final view takes
     * @param fullViewBytes the bytes of those bodies
     */
    record Result(Setup setup, int roundsToConverge, double bodiesPerNodeRound, double bytesPerNodeRound,
            double meanAge, double maxAge, double missing, int fullViewBodies, long fullViewBytes) {}

    private final Setup setup;
    private final SimClock clock = new SimClock();
    private final WireSize wire = new WireSize();
    private final SplittableRandom losses;
    private final Node[] nodes;
    private final List<String> addresses;
    private final Map<String, Node> byAddress = new HashMap<>();
    private final List<Tick> ticks = new ArrayList<>();
    private long bodies;
    private long bytes;

    private final class Node {
        final int index;
        final ClusterMetrics store;
        final MetricsGossiper gossiper;
        final SplittableRandom peerDraws;
        final long phaseMillis;

        Node(int index, SplittableRandom seeds) {
            this.index = index;
            this.store = new ClusterMetrics(setup.mode() == Mode.STEADY ? TTL : null, 1000, clock);
            SplittableRandom draws = seeds.split();
            this.peerDraws = draws;
            this.gossiper = new MetricsGossiper(store,
                    new SmoothedProbe(new RandomLoadProbe(seeds.split()), Duration.ofSeconds(12), Duration.ofSeconds(3)),
                    addresses.get(index), () -> addresses, transport(), setup.fanout(), draws);
            this.phaseMillis = seeds.nextLong(INTERVAL_MILLIS);
        }

        /** The real transport for the full-state protocol: split as GossipCodec does, each body may be lost. */
        private MetricsTransport transport() {
            return (target, pdu) -> push(byAddress.get(target), pdu.samples());
        }
    }

    GossipRun(Setup setup) {
        this.setup = setup;
        SplittableRandom seeds = new SplittableRandom(setup.seed());
        this.losses = seeds.split();
        int n = setup.nodes();
        this.addresses = IntStream.range(0, n).mapToObj(GossipRun::address).toList();
        this.nodes = new Node[n];
        for (int i = 0; i < n; i++) {
            nodes[i] = new Node(i, seeds.split());
        }
        for (Node node : nodes) {
            byAddress.put(addresses.get(node.index), node);
            ticks.add(new Tick(node.phaseMillis, node, false));
            ticks.add(new Tick((node.phaseMillis + INTERVAL_MILLIS / 2) % INTERVAL_MILLIS, node, true));
        }
        ticks.sort(Comparator.comparingLong(Tick::offsetMillis).thenComparingInt(t -> t.node().index).thenComparing(Tick::gossip));
    }

    /** A node's sample or gossip, at {@code offsetMillis} into every round. */
    private record Tick(long offsetMillis, Node node, boolean gossip) {}

    /** The address of node {@code i}: {@code http://10.0.<i / 256>.<i % 256>:8080}. */
    static String address(int i) {
        return "http://10.0." + (i / 256) + "." + (i % 256) + ":8080";
    }

    /** Runs the simulation. */
    Result run() {
        int n = nodes.length;
        boolean steady = setup.mode() == Mode.STEADY;
        int total = steady ? setup.warmup() + setup.rounds() : setup.rounds();
        double ageSum = 0;
        long ageCount = 0;
        double maxAge = 0;
        long missing = 0;
        long bodiesAtStart = 0;
        long bytesAtStart = 0;
        for (int round = 0; round < total; round++) {
            long roundStart = round * INTERVAL_MILLIS;
            for (Tick tick : ticks) {
                if (tick.gossip() && round == 0 && tick.node().phaseMillis >= INTERVAL_MILLIS / 2) {
                    continue; // this node's first gossip falls in round 1
                }
                clock.set((roundStart + tick.offsetMillis()) / 1000.0);
                if (tick.gossip()) {
                    gossip(tick.node());
                } else if (steady || round == 0) {
                    tick.node().gossiper.sampleLocal(clock.millis());
                }
            }
            clock.set((roundStart + INTERVAL_MILLIS) / 1000.0);
            if (!steady) {
                if (converged()) {
                    return result(round + 1, (double) bodies / n / (round + 1), (double) bytes / n / (round + 1), 0, 0, 0);
                }
                continue;
            }
            if (round + 1 == setup.warmup()) {
                bodiesAtStart = bodies;
                bytesAtStart = bytes;
            }
            if (round + 1 > setup.warmup()) {
                for (Node node : nodes) {
                    List<NodeMetrics> view = node.store.snapshot();
                    missing += n - view.size();
                    for (NodeMetrics m : view) {
                        if (!m.address().equals(addresses.get(node.index))) {
                            double age = (clock.millis() - m.timestamp()) / (double) INTERVAL_MILLIS;
                            ageSum += age;
                            ageCount++;
                            maxAge = Math.max(maxAge, age);
                        }
                    }
                }
            }
        }
        if (!steady) {
            return result(-1, (double) bodies / n / total, (double) bytes / n / total, 0, 0, 0);
        }
        double measured = (double) n * setup.rounds();
        return result(0, (bodies - bodiesAtStart) / measured, (bytes - bytesAtStart) / measured,
                ageSum / ageCount, maxAge, missing / (measured * (n - 1)));
    }

    private Result result(int rounds, double bodiesPerNodeRound, double bytesPerNodeRound, double meanAge, double maxAge,
            double missing) {
        List<List<NodeMetrics>> fullView = wire.split(nodes[0].store.snapshot(), WireSize.MAX_BODY);
        long fullViewBytes = fullView.stream().mapToLong(wire::batch).sum();
        return new Result(setup, rounds, bodiesPerNodeRound, bytesPerNodeRound, meanAge, maxAge, missing,
                fullView.size(), fullViewBytes);
    }

    private boolean converged() {
        for (Node node : nodes) {
            if (node.store.nodeCount() < nodes.length) {
                return false;
            }
        }
        return true;
    }

    private void gossip(Node node) {
        if (setup.protocol() == Protocol.FULL_STATE) {
            node.gossiper.gossipRound();
            return;
        }
        List<NodeMetrics> view = node.store.snapshot();
        if (view.isEmpty()) {
            return;
        }
        for (int peer : drawPeers(node)) {
            exchange(node, view, nodes[peer]);
        }
    }

    /** The peers of a round, drawn as {@link MetricsGossiper#gossipRound()} draws them. */
    private int[] drawPeers(Node node) {
        List<Integer> candidates = new ArrayList<>(nodes.length - 1);
        for (int i = 0; i < nodes.length; i++) {
            if (i != node.index) {
                candidates.add(i);
            }
        }
        int k = Math.min(setup.fanout(), candidates.size());
        for (int i = 0; i < k; i++) {
            candidates.set(i, candidates.set(i + node.peerDraws.nextInt(candidates.size() - i), candidates.get(i)));
        }
        return candidates.subList(0, k).stream().mapToInt(Integer::intValue).toArray();
    }

    /** Sends {@code samples} to {@code target} as GossipCodec would: bodies of at most 64 KiB, each may be lost. */
    private void push(Node target, List<NodeMetrics> samples) {
        for (List<NodeMetrics> body : wire.split(samples, WireSize.MAX_BODY)) {
            if (sent(wire.batch(body))) {
                MetricsGossip.apply(target.store, new MetricsPdu.PushBatch(body));
            }
        }
    }

    /** One digest/delta exchange initiated by {@code a}, whose view is {@code view}, with {@code b}. */
    private void exchange(Node a, List<NodeMetrics> view, Node b) {
        if (!sent(wire.digest(view))) {
            return;
        }
        List<NodeMetrics> theirs = b.store.snapshot();
        List<NodeMetrics> newer = new ArrayList<>();
        List<NodeMetrics> wanted = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < view.size() || j < theirs.size()) {
            int c = i == view.size() ? 1 : j == theirs.size() ? -1 : view.get(i).address().compareTo(theirs.get(j).address());
            if (c < 0) {
                wanted.add(view.get(i++));
            } else if (c > 0) {
                newer.add(theirs.get(j++));
            } else {
                NodeMetrics mine = view.get(i++);
                NodeMetrics other = theirs.get(j++);
                if (other.timestamp() > mine.timestamp()) {
                    newer.add(other);
                } else if (mine.timestamp() > other.timestamp()) {
                    wanted.add(mine);
                }
            }
        }
        if (newer.isEmpty() && wanted.isEmpty()) {
            return;
        }
        if (!sent(wire.delta(newer, wanted.stream().map(NodeMetrics::address).toList()))) {
            return;
        }
        MetricsGossip.apply(a.store, new MetricsPdu.PushBatch(newer));
        if (!wanted.isEmpty()) {
            push(b, wanted);
        }
    }

    /** Counts a body of {@code size} bytes; whether it arrives. */
    private boolean sent(long size) {
        bodies++;
        bytes += size;
        return setup.loss() == 0 || losses.nextDouble() >= setup.loss();
    }
}
