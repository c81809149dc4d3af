package io.clustermetrics.gossip;

import java.util.Collection;

/**
 * The peers this node gossips with besides those it learns through gossip: by default
 * {@code cluster.metrics.gossip.peers}. Asked every round, so an implementation may follow a discovery
 * service. Declare a bean of this type to replace it.
 */
@FunctionalInterface
public interface GossipPeers {

    /** The peers' base URLs, the addresses they give themselves. */
    Collection<String> peers();
}
