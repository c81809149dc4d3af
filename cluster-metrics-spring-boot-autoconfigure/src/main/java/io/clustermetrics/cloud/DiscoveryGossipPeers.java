package io.clustermetrics.cloud;

import io.clustermetrics.gossip.GossipPeers;
import io.clustermetrics.wire.LogSafe;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;

/**
 * The listed peers and every instance a Spring Cloud {@link DiscoveryClient} knows of this service, by base
 * URI ({@code http://host:port}), asked afresh every round. A discovery client that fails (its server is
 * down) leaves the listed peers, and gossip keeps the nodes already known; the log gets one warning when it
 * starts failing and one line when it answers again.
 */
public final class DiscoveryGossipPeers implements GossipPeers {

    private static final Log log = LogFactory.getLog(DiscoveryGossipPeers.class);

    private final List<String> listed;
    private final Supplier<DiscoveryClient> discovery;
    private final String serviceId;
    private volatile boolean failing;

    /**
     * @param listed the statically listed peers
     * @param discovery the discovery client, or a supplier of null when the app has none
     * @param serviceId the service whose instances are peers; null for none
     */
    public DiscoveryGossipPeers(List<String> listed, Supplier<DiscoveryClient> discovery, String serviceId) {
        this.listed = List.copyOf(listed);
        this.discovery = discovery;
        this.serviceId = serviceId;
    }

    @Override
    public Collection<String> peers() {
        Set<String> peers = new LinkedHashSet<>(listed);
        DiscoveryClient client = discovery.get();
        if (client == null || serviceId == null) {
            return peers;
        }
        try {
            client.getInstances(serviceId).stream().map(ServiceInstance::getUri).map(Object::toString).forEach(peers::add);
            if (failing) {
                failing = false;
                log.info("Cluster metrics: " + client.description() + " lists the instances of " + serviceId + " again");
            }
        } catch (RuntimeException e) {
            if (!failing) {
                failing = true;
                log.warn("Cluster metrics: " + client.description() + " cannot list the instances of " + serviceId + " ("
                        + LogSafe.of(e.getMessage()) + "); gossiping with the listed peers and the nodes already known until it can");
            }
        }
        return peers;
    }
}
