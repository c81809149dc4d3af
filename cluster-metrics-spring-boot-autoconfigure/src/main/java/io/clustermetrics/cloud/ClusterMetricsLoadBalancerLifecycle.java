package io.clustermetrics.cloud;

import io.clustermetrics.CapacityAwareRoutees;
import io.clustermetrics.NodeAliases;
import io.clustermetrics.Router;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.loadbalancer.CompletionContext;
import org.springframework.cloud.client.loadbalancer.LoadBalancerLifecycle;
import org.springframework.cloud.client.loadbalancer.Request;
import org.springframework.cloud.client.loadbalancer.Response;
import org.springframework.cloud.client.loadbalancer.ResponseData;

/**
 * Feeds a {@link CapacityAwareRoutees} this client's calls as Spring Cloud LoadBalancer reports them, for
 * {@code RestClient}, {@code RestTemplate}, {@code WebClient} and Gateway routes alike: a call starts at its
 * instance when the request is sent and ends when it completes or fails.
 *
 * <p>Each start is kept, by the identity of its load-balancer request, until its end. Spring Cloud does not
 * report a cancelled {@code WebClient} or Gateway exchange, so a start that has not ended after
 * {@code abandonAfter} is released without a latency: no count is ever left behind.
 */
public class ClusterMetricsLoadBalancerLifecycle implements LoadBalancerLifecycle<Object, Object, ServiceInstance> {

    private record Key(Request<?> request) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.request == request;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(request);
        }
    }

    private record Started(CapacityAwareRoutees.Load load, long at) {}

    private final ConcurrentHashMap<Key, Started> started = new ConcurrentHashMap<>();
    private final CapacityAwareRoutees routees;
    private final NodeAliases aliases;
    private final long abandonAfterNanos;
    private volatile long nextSweep;

    /**
     * @param router the client's router; the calls feed it if it is a {@link CapacityAwareRoutees}, else this
     *     lifecycle supports nothing and Spring Cloud never calls it
     * @param aliases matches an instance's URI to the address its samples are stored under, as the balancer does
     * @param abandonAfter how long a call may go without an end before its start is released
     */
    public ClusterMetricsLoadBalancerLifecycle(Router router, NodeAliases aliases, Duration abandonAfter) {
        this.routees = router instanceof CapacityAwareRoutees c ? c : null;
        this.aliases = aliases;
        this.abandonAfterNanos = abandonAfter.toNanos();
        this.nextSweep = System.nanoTime();
    }

    @Override
    public boolean supports(Class requestContextClass, Class responseClass, Class serverTypeClass) {
        return routees != null && ServiceInstance.class.isAssignableFrom(serverTypeClass);
    }

    @Override
    public void onStart(Request<Object> request) {}

    @Override
    public void onStartRequest(Request<Object> request, Response<ServiceInstance> lbResponse) {
        sweepAbandoned();
        if (request == null || lbResponse == null || !lbResponse.hasServer()) {
            return;
        }
        CapacityAwareRoutees.Load load = routees.load(aliases.resolve(lbResponse.getServer().getUri().toString()));
        Started previous = started.put(new Key(request), new Started(load, load.start()));
        if (previous != null) {
            // The same request sent again (a retry) without an end in between: the first attempt is over.
            previous.load().end(previous.at(), true);
        }
    }

    @Override
    public void onComplete(CompletionContext<Object, ServiceInstance, Object> completion) {
        Started s = completion.getLoadBalancerRequest() == null
                ? null : started.remove(new Key(completion.getLoadBalancerRequest()));
        if (s != null) {
            s.load().end(s.at(), completion.status() == CompletionContext.Status.FAILED || isServerError(completion));
        }
    }

    /** Calls started and not ended yet, what a leak would show as. */
    public int inFlight() {
        return started.size();
    }

    private static boolean isServerError(CompletionContext<Object, ServiceInstance, Object> completion) {
        return completion.getClientResponse() instanceof ResponseData data && data.getHttpStatus() != null
                && data.getHttpStatus().is5xxServerError();
    }

    private void sweepAbandoned() {
        long now = System.nanoTime();
        if (now - nextSweep < 0) {
            return;
        }
        nextSweep = now + Math.min(abandonAfterNanos, Duration.ofSeconds(1).toNanos());
        started.forEach((key, s) -> {
            if (now - s.at() > abandonAfterNanos && started.remove(key, s)) {
                s.load().release(s.at());
            }
        });
    }
}
