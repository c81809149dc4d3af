package io.clustermetrics.autoconfigure;

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
 * A Spring Cloud LoadBalancer that picks among a service's instances at random, weighted by the cluster
 * metrics weights of their base URIs ({@link WeightedRoutees}): never the argmin, so clients with a view a
 * gossip round old do not all pile onto the node that looked idlest. Instances without metrics yet get a
 * fair share; expired ones get none; when no instance has any capacity, the draw is uniform.
 */
public class ClusterMetricsLoadBalancer implements ReactorServiceInstanceLoadBalancer {

    private final ObjectProvider<ServiceInstanceListSupplier> instances;
    private final WeightedRoutees routees;

    /**
     * @param instances the service's instances, as Spring Cloud LoadBalancer supplies them
     * @param routees the weighted router
     */
    public ClusterMetricsLoadBalancer(ObjectProvider<ServiceInstanceListSupplier> instances, WeightedRoutees routees) {
        this.instances = instances;
        this.routees = routees;
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
        List<String> addresses = list.stream().map(instance -> instance.getUri().toString()).toList();
        String address = routees.pick(addresses).orElseThrow();
        return new DefaultResponse(list.get(addresses.indexOf(address)));
    }
}
