package io.clustermetrics.sample;

import io.clustermetrics.autoconfigure.ClusterMetricsProperties;
import java.net.URI;
import org.springframework.cloud.client.DefaultServiceInstance;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.loadbalancer.core.ServiceInstanceListSupplier;
import org.springframework.cloud.loadbalancer.support.ServiceInstanceListSuppliers;
import org.springframework.context.annotation.Bean;

/**
 * The instances of the {@value #SERVICE} service for Spring Cloud LoadBalancer: this node's gossip peers, as a
 * discovery server (Eureka, Consul, Kubernetes) would list them in a real deployment. Named in
 * {@link SampleApplication}'s {@code @LoadBalancerClient}; not a component.
 */
public class PeerInstances {

    /** The sample's service id: the host name of {@code @LoadBalanced} calls, {@code http://sample-app/...}. */
    public static final String SERVICE = "sample-app";

    /** The listed peers, each an instance at its base URL. */
    @Bean
    public ServiceInstanceListSupplier peerInstanceList(ClusterMetricsProperties properties) {
        return ServiceInstanceListSuppliers.from(SERVICE, properties.gossip().peers().stream().map(URI::create)
                .map(uri -> new DefaultServiceInstance(uri.toString(), SERVICE, uri.getHost(), uri.getPort(), false))
                .toArray(ServiceInstance[]::new));
    }
}
