package io.clustermetrics;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * One node's side of metrics gossip, driven by its owner's schedule: {@link #sampleLocal} publishes the
 * probe's sample into the store, and {@link #gossipRound} sends the node's whole live view to
 * {@code fanout} random peers, so samples spread epidemically and a node learns of nodes it does not
 * list. The peers are the listed ones (static or discovered) and every node of this node's service in the
 * live view, less this node and those the transport is backing off from. Gossip stays within the service:
 * samples of other services' nodes (which an observer of those services keeps in the same store) are
 * neither sent nor gossiped to; samples that name no service count as this service's, for nodes that do
 * not name theirs. Thread-safe if the transport is.
 */
public final class MetricsGossiper {

    private final ClusterMetrics metrics;
    private final MetricsProbe probe;
    private final String selfAddress;
    private final String service;
    private final Supplier<? extends Collection<String>> listedPeers;
    private final MetricsTransport transport;
    private final int fanout;
    private final RandomGenerator random;
    private final AtomicLong rounds = new AtomicLong();
    private final AtomicLong refutations = new AtomicLong();
    private volatile Set<String> lastListed = Set.of();

    /**
     * @param metrics the store the view is read from and local samples go to
     * @param probe this node's probe
     * @param selfAddress this node's address, as its peers know it
     * @param listedPeers the peers to gossip with besides those learned from the view, asked every round
     * @param transport how messages reach a peer
     * @param fanout how many peers each round goes to, at least 1
     * @param random the source of the peer draws
     */
    public MetricsGossiper(ClusterMetrics metrics, MetricsProbe probe, String selfAddress,
            Supplier<? extends Collection<String>> listedPeers, MetricsTransport transport, int fanout,
            RandomGenerator random) {
        this(metrics, probe, selfAddress, null, listedPeers, transport, fanout, random);
    }

    /**
     * A node of {@code service}: its samples say so, and it gossips with that service's nodes only.
     *
     * @param metrics the store the view is read from and local samples go to
     * @param probe this node's probe
     * @param selfAddress this node's address, as its peers know it
     * @param service the service this node is an instance of; null for none
     * @param listedPeers the peers to gossip with besides those learned from the view, asked every round
     * @param transport how messages reach a peer
     * @param fanout how many peers each round goes to, at least 1
     * @param random the source of the peer draws
     */
    public MetricsGossiper(ClusterMetrics metrics, MetricsProbe probe, String selfAddress, String service,
            Supplier<? extends Collection<String>> listedPeers, MetricsTransport transport, int fanout,
            RandomGenerator random) {
        if (fanout < 1) {
            throw new IllegalArgumentException("fanout must be at least 1, was " + fanout);
        }
        this.metrics = metrics;
        this.probe = probe;
        this.selfAddress = selfAddress;
        this.service = service;
        this.listedPeers = listedPeers;
        this.transport = transport;
        this.fanout = fanout;
        this.random = random;
    }

    /** This node's address. */
    public String selfAddress() {
        return selfAddress;
    }

    /** The service this node is an instance of; null for none. */
    public String service() {
        return service;
    }

    /** The live samples of this node's service, sorted by address: what it gossips and what it answers a pull with. */
    public List<NodeMetrics> view() {
        return metrics.snapshot().stream().filter(this::isMember).toList();
    }

    private boolean isMember(NodeMetrics m) {
        return m.service() == null || m.service().equals(service);
    }

    /**
     * Samples the probe and publishes the sample, stamped {@code now} (epoch milliseconds) unless the store holds a
     * sample of this node stamped as late or later: one a peer made up, or this node's own from before its clock
     * stepped back or it restarted. Then the new sample is stamped just after it, so that it wins everywhere as it
     * spreads, and a sample about this node that it did not make lasts until its next gossip: a node is the
     * authority on itself, as in SWIM. A sample stamped beyond {@link ClusterMetrics#MAX_TIMESTAMP_AHEAD} (this
     * node's clock stepped back further) is dropped instead, and this node starts again from {@code now}.
     */
    public NodeMetrics sampleLocal(long now) {
        long newest = metrics.newestTimestamp(selfAddress).orElse(-1);
        long stamp = now;
        if (newest >= now) {
            if (newest - now > ClusterMetrics.MAX_TIMESTAMP_AHEAD.toMillis()) {
                metrics.remove(selfAddress);
            } else {
                stamp = newest + 1;
                refutations.incrementAndGet();
            }
        }
        NodeMetrics m = probe.sample(selfAddress, stamp).withService(service);
        metrics.publish(m);
        return m;
    }

    /** How many times this node stamped a sample later than its clock to outdate one about itself. */
    public long refutations() {
        return refutations.get();
    }

    /** Every peer gossip may go to now: the listed ones and the live nodes of this service, less this node. */
    public Set<String> peers() {
        Set<String> listed = new LinkedHashSet<>(listedPeers.get());
        lastListed = listed;
        Set<String> peers = new LinkedHashSet<>(listed);
        view().forEach(m -> peers.add(m.address()));
        peers.remove(selfAddress);
        return peers;
    }

    /**
     * Sends this node's live view, as one {@link MetricsPdu.PushBatch}, to up to {@code fanout} peers drawn
     * at random among the available ones: with a fanout of 2 or more, one among the listed (or discovered) peers
     * that answered their last message ({@link MetricsTransport#hasAnswered}), then up to {@code fanout - 1} in
     * all among every peer that answered, the rest among all; with a fanout of 1, every other round's draw is
     * among a listed peer that answered, or any that did. A flood of learned addresses, answering or not, cannot starve the
     * peers the configuration or discovery names, and a draw stays open to nodes not yet heard from.
     *
     * @return the peers it was sent to
     */
    public List<String> gossipRound() {
        return gossipRound(peers());
    }

    /**
     * Like {@link #gossipRound()}, drawing among {@code peers} as {@link #peers()} gave them, for a caller that
     * needs the peer set too and should not ask the listed peers (a discovery service) twice.
     *
     * @return the peers it was sent to
     */
    public List<String> gossipRound(Set<String> peers) {
        List<NodeMetrics> view = view();
        if (view.isEmpty()) {
            return List.of();
        }
        List<String> candidates = new ArrayList<>(peers);
        candidates.removeIf(peer -> !transport.isAvailable(peer));
        Set<String> listed = lastListed;
        // first the listed (or discovered) peers that answered, then the other peers that answered, then the rest
        int trusted = moveToFront(candidates, 0, peer -> listed.contains(peer) && transport.hasAnswered(peer));
        int answered = moveToFront(candidates, trusted, transport::hasAnswered);
        int n = Math.min(fanout, candidates.size());
        boolean trustedRound = fanout > 1 || (rounds.getAndIncrement() & 1) == 1;
        int amongTrusted = trustedRound ? Math.min(1, trusted) : 0;
        int amongAnswered = trustedRound ? Math.min(Math.max(fanout - 1, 1), answered) : 0;
        for (int i = 0; i < n; i++) { // a partial Fisher-Yates shuffle: a trusted peer, then answered ones, then any
            int bound = i < amongTrusted ? trusted : i < amongAnswered ? answered : candidates.size();
            candidates.set(i, candidates.set(i + random.nextInt(bound - i), candidates.get(i)));
        }
        List<String> targets = List.copyOf(candidates.subList(0, n));
        MetricsPdu pdu = new MetricsPdu.PushBatch(view);
        targets.forEach(target -> transport.send(target, pdu));
        return targets;
    }

    /** Moves the elements of {@code list} from {@code from} on that pass {@code test} to the front, in order; returns the end. */
    private static int moveToFront(List<String> list, int from, java.util.function.Predicate<String> test) {
        int end = from;
        for (int i = from; i < list.size(); i++) {
            if (test.test(list.get(i))) {
                Collections.swap(list, i, end++);
            }
        }
        return end;
    }
}
