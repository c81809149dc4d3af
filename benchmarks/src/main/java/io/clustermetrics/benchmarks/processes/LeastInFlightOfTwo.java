package io.clustermetrics.benchmarks.processes;

import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.loadbalancer.CompletionContext;
import org.springframework.cloud.client.loadbalancer.DefaultResponse;
import org.springframework.cloud.client.loadbalancer.EmptyResponse;
import org.springframework.cloud.client.loadbalancer.LoadBalancerLifecycle;
import org.springframework.cloud.client.loadbalancer.Request;
import org.springframework.cloud.client.loadbalancer.Response;
import org.springframework.cloud.loadbalancer.core.ReactorServiceInstanceLoadBalancer;
import org.springframework.cloud.loadbalancer.core.ServiceInstanceListSupplier;
import reactor.core.publisher.Mono;

/**
 * The baseline any reviewer writes first: two distinct instances at random, the one with fewer of this client's
 * calls in flight, counted from Spring Cloud's lifecycle callbacks.
 */
final class LeastInFlightOfTwo implements ReactorServiceInstanceLoadBalancer, LoadBalancerLifecycle<Object, Object, ServiceInstance> {

    private final ObjectProvider<ServiceInstanceListSupplier> instances;
    private final Map<URI, AtomicInteger> inFlight = new ConcurrentHashMap<>();

    LeastInFlightOfTwo(ObjectProvider<ServiceInstanceListSupplier> instances) {
        this.instances = instances;
    }

    @Override
    public Mono<Response<ServiceInstance>> choose(Request request) {
        return instances.getObject().get(request).next().map(list -> {
            if (list.isEmpty()) {
                return new EmptyResponse();
            }
            ThreadLocalRandom random = ThreadLocalRandom.current();
            int a = random.nextInt(list.size());
            int b = list.size() == 1 ? a : (a + 1 + random.nextInt(list.size() - 1)) % list.size();
            ServiceInstance first = list.get(a);
            ServiceInstance second = list.get(b);
            return new DefaultResponse(count(first).get() <= count(second).get() ? first : second);
        });
    }

    private AtomicInteger count(ServiceInstance instance) {
        return inFlight.computeIfAbsent(instance.getUri(), uri -> new AtomicInteger());
    }

    @Override
    public void onStart(Request<Object> request) {
    }

    @Override
    public void onStartRequest(Request<Object> request, Response<ServiceInstance> lbResponse) {
        count(lbResponse.getServer()).incrementAndGet();
    }

    @Override
    public void onComplete(CompletionContext<Object, ServiceInstance, Object> completion) {
        count(completion.getLoadBalancerResponse().getServer()).decrementAndGet();
    }
}
