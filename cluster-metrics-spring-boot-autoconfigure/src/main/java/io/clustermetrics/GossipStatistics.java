package io.clustermetrics;

import java.time.Duration;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/** Counts of gossip messages, shared by the sender and the endpoint; exported as Micrometer counters. */
public final class GossipStatistics {

    private final LongAdder sent = new LongAdder();
    private final LongAdder received = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder rounds = new LongAdder();
    private final LongAccumulator slowestRoundNanos = new LongAccumulator(Math::max, 0);
    private volatile long lastRoundNanos;

    /** Messages a peer accepted. */
    public long sent() {
        return sent.sum();
    }

    /** Messages this node accepted. */
    public long received() {
        return received.sum();
    }

    /** Messages this node refused: unauthenticated, malformed or too large. */
    public long refused() {
        return refused.sum();
    }

    /** Messages that did not reach a peer or that it refused. */
    public long failed() {
        return failed.sum();
    }

    /** Gossip rounds this node has run. */
    public long rounds() {
        return rounds.sum();
    }

    /** The longest a gossip round took on the gossip thread: sends are asynchronous, so peers do not count. */
    public Duration slowestRound() {
        return Duration.ofNanos(slowestRoundNanos.get());
    }

    /** How long the newest gossip round took on the gossip thread; zero before the first. */
    public Duration lastRound() {
        return Duration.ofNanos(lastRoundNanos);
    }

    /** Records a round that took {@code nanos}. */
    public void onRound(long nanos) {
        lastRoundNanos = nanos;
        rounds.increment();
        slowestRoundNanos.accumulate(nanos);
    }

    /** Counts a message a peer accepted. */
    public void onSent() {
        sent.increment();
    }

    /** Counts a message this node accepted. */
    public void onReceived() {
        received.increment();
    }

    /** Counts a message this node refused. */
    public void onRefused() {
        refused.increment();
    }

    /** Counts a message that did not reach a peer or that it refused. */
    public void onFailed() {
        failed.increment();
    }
}
