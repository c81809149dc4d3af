package io.clustermetrics.gossip;

/** Told after every gossip round, on the gossip thread: for work that follows the view, such as gauges. */
@FunctionalInterface
public interface GossipRoundListener {

    /** Called after a round; must be quick and must not throw. */
    void afterRound();
}
