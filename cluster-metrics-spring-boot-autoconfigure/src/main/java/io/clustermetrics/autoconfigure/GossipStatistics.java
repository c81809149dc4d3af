package io.clustermetrics.autoconfigure;

import java.util.concurrent.atomic.LongAdder;

/** Counts of gossip messages, shared by the sender and the endpoint; exported as Micrometer counters. */
public final class GossipStatistics {

    private final LongAdder sent = new LongAdder();
    private final LongAdder received = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final LongAdder failed = new LongAdder();

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

    void onSent() {
        sent.increment();
    }

    void onReceived() {
        received.increment();
    }

    void onRefused() {
        refused.increment();
    }

    void onFailed() {
        failed.increment();
    }
}
