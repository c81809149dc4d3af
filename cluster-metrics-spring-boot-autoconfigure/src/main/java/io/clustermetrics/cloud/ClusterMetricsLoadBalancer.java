package io.clustermetrics.cloud;

import io.clustermetrics.MetricsObserver;
import io.clustermetrics.CapacityAwareRoutees;
import io.clustermetrics.Router;
import io.clustermetrics.WeightedRoutees;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.loadbalancer.DefaultResponse;
import org.springframework.cloud.client.loadbalancer.EmptyResponse;
import org.springframework.cloud.client.loadbalancer.Request;
import org.springframework.cloud.client.loadbalancer.Response;
import org.springframework.cloud.loadbalancer.core.NoopServiceInstanceListSupplier;
import org.springframework.cloud.loadbalancer.core.ReactorServiceInstanceLoadBalancer;
import org.springframework.cloud.loadbalancer.core.SelectedInstanceCallback;
import org.springframework.cloud.loadbalancer.core.ServiceInstanceListSupplier;
import reactor.core.publisher.Mono;

/**
 * A Spring Cloud LoadBalancer that picks among a service's instances with a cluster metrics {@link Router}
 * over the addresses of their base URIs: by default {@link CapacityAwareRoutees} (power of two choices on
 * gossiped capacity and this client's in-flight calls and latency, which
 * {@link ClusterMetricsLoadBalancerLifecycle} reports), or {@link WeightedRoutees} (weighted random on the
 * selector's weights). Neither is an argmin, so clients with a view a gossip round old do not all pile onto
 * the node that looked idlest.
 *
 * <p>Each pick tells the {@link MetricsObserver} which instances the client routes among, so that an app
 * routing to another service learns that service's load without joining its gossip, and matches each
 * instance's URI to the address its node calls itself. A pick is carried back to its instance by position, so
 * two instances that resolve to one node address (the same node registered twice, or an instance that answered
 * as another) each get their own share, not the first of them both.
 */
public class ClusterMetricsLoadBalancer implements ReactorServiceInstanceLoadBalancer {

    private final ObjectProvider<ServiceInstanceListSupplier> instances;
    private final Router routees;
    private final MetricsObserver observer;
    private final String service;

    /**
     * @param instances the service's instances, as Spring Cloud LoadBalancer supplies them
     * @param routees the router that picks among the instances' addresses
     * @param observer learns the service's load and matches its instances to their metrics
     * @param service the service id this balancer routes to
     */
    public ClusterMetricsLoadBalancer(ObjectProvider<ServiceInstanceListSupplier> instances, Router routees,
            MetricsObserver observer, String service) {
        this.instances = instances;
        this.routees = routees;
        this.observer = observer;
        this.service = service;
    }

    @Override
    public Mono<Response<ServiceInstance>> choose(Request request) {
        ServiceInstanceListSupplier supplier = instances.getIfAvailable(NoopServiceInstanceListSupplier::new);
        return supplier.get(request).next().map(list -> {
            Response<ServiceInstance> response = choose(list);
            if (supplier instanceof SelectedInstanceCallback callback && response.hasServer()) {
                callback.selectedServiceInstance(response.getServer());
            }
            return response;
        });
    }

    private Response<ServiceInstance> choose(List<ServiceInstance> list) {
        if (list.isEmpty()) {
            return new EmptyResponse();
        }
        List<String> uris = list.stream().map(instance -> instance.getUri().toString()).toList();
        List<String> addresses = observer.resolve(service, uris);
        // by position: two instances may resolve to one address, and each keeps its own share
        return new DefaultResponse(list.get(routees.pickIndex(addresses)));
    }
}
