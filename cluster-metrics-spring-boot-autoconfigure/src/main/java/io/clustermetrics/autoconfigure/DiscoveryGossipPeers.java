package io.clustermetrics.autoconfigure;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;

/**
 * The listed peers and every instance a Spring Cloud {@link DiscoveryClient} knows of this service, by base
 * URI ({@code http://host:port}), asked afresh every round.
 */
public final class DiscoveryGossipPeers implements GossipPeers {

    private final List<String> listed;
    private final Supplier<DiscoveryClient> discovery;
    private final String serviceId;

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
        if (client != null && serviceId != null) {
            client.getInstances(serviceId).stream().map(ServiceInstance::getUri).map(Object::toString).forEach(peers::add);
        }
        return peers;
    }
}
