package io.clustermetrics.benchmarks.processes;

import io.clustermetrics.CapacityAwareRoutees;
import io.clustermetrics.ClusterMetrics;
import io.clustermetrics.MetricsObserver;
import io.clustermetrics.MetricsSelector;
import io.clustermetrics.NodeAliases;
import io.clustermetrics.WeightedRoutees;
import io.clustermetrics.cloud.ClusterMetricsLoadBalancer;
import io.clustermetrics.cloud.ClusterMetricsLoadBalancerLifecycle;
import java.net.http.HttpClient;
import java.time.Duration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.loadbalancer.CompletionContext;
import org.springframework.cloud.client.loadbalancer.LoadBalanced;
import org.springframework.cloud.client.loadbalancer.LoadBalancerLifecycle;
import org.springframework.cloud.client.loadbalancer.Request;
import org.springframework.cloud.client.loadbalancer.Response;
import org.springframework.cloud.loadbalancer.annotation.LoadBalancerClient;
import org.springframework.cloud.loadbalancer.core.ReactorServiceInstanceLoadBalancer;
import org.springframework.cloud.loadbalancer.core.RoundRobinLoadBalancer;
import org.springframework.cloud.loadbalancer.core.ServiceInstanceListSupplier;
import org.springframework.context.annotation.Bean;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

/**
 * The benchmark's client app: the starter (observing the {@value #SERVICE} service, whose instances come from
 * Spring Cloud's simple discovery client) and a {@code @LoadBalanced RestClient}. Its balancer for
 * {@value #SERVICE} switches between the strategies compared, each phase with fresh state, built as
 * {@code ClusterMetricsLoadBalancerConfiguration} builds the starter's.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@LoadBalancerClient(name = BenchClient.SERVICE, configuration = BenchClient.Balancers.class)
public class BenchClient {

    /** The backends' service id. */
    static final String SERVICE = "work";

    /** The strategies compared, in the order of each load's phases. */
    enum Strategy {
        ROUND_ROBIN("round robin (Spring Cloud)"),
        WEIGHTED("weighted"),
        POWER_OF_TWO("power of two, in-flight"),
        CAPACITY_AWARE("capacity-aware (default)");

        final String label;

        Strategy(String label) {
            this.label = label;
        }
    }

    /** The load-balanced client the load generator calls {@code http://work/work} with. */
    @Bean
    @LoadBalanced
    RestClient.Builder loadBalancedRestClient() {
        JdkClientHttpRequestFactory requests = new JdkClientHttpRequestFactory(HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build());
        requests.setReadTimeout(Duration.ofSeconds(10));
        return RestClient.builder().requestFactory(requests);
    }

    /** {@value #SERVICE}'s balancer and lifecycle: those of the current phase's strategy. */
    static class Balancers {

        @Bean
        Phases phases(ObjectProvider<ServiceInstanceListSupplier> instances, ClusterMetrics metrics, MetricsSelector selector,
                NodeAliases aliases, MetricsObserver observer) {
            return new Phases(instances, metrics, selector, aliases, observer);
        }

        @Bean
        ReactorServiceInstanceLoadBalancer switchingLoadBalancer(Phases phases) {
            return request -> phases.balancer.choose(request);
        }

        @Bean
        LoadBalancerLifecycle<Object, Object, ServiceInstance> switchingLifecycle(Phases phases) {
            return new LoadBalancerLifecycle<>() {
                @Override
                public void onStart(Request<Object> request) {
                }

                @Override
                public void onStartRequest(Request<Object> request, Response<ServiceInstance> response) {
                    LoadBalancerLifecycle<Object, Object, ServiceInstance> current = phases.lifecycle;
                    if (current != null) {
                        current.onStartRequest(request, response);
                    }
                }

                @Override
                public void onComplete(CompletionContext<Object, ServiceInstance, Object> completion) {
                    LoadBalancerLifecycle<Object, Object, ServiceInstance> current = phases.lifecycle;
                    if (current != null) {
                        current.onComplete(completion);
                    }
                }
            };
        }
    }

    /** Builds each phase's balancer afresh, so that no strategy starts with what another phase taught it. */
    static final class Phases {

        private final ObjectProvider<ServiceInstanceListSupplier> instances;
        private final ClusterMetrics metrics;
        private final MetricsSelector selector;
        private final NodeAliases aliases;
        private final MetricsObserver observer;
        private volatile ReactorServiceInstanceLoadBalancer balancer;
        private volatile LoadBalancerLifecycle<Object, Object, ServiceInstance> lifecycle;

        Phases(ObjectProvider<ServiceInstanceListSupplier> instances, ClusterMetrics metrics, MetricsSelector selector,
                NodeAliases aliases, MetricsObserver observer) {
            this.instances = instances;
            this.metrics = metrics;
            this.selector = selector;
            this.aliases = aliases;
            this.observer = observer;
            use(Strategy.CAPACITY_AWARE);
        }

        /** Routes the next calls by a fresh {@code strategy}; call it with no call in flight. */
        void use(Strategy strategy) {
            switch (strategy) {
                case ROUND_ROBIN -> {
                    lifecycle = null;
                    balancer = new RoundRobinLoadBalancer(instances, SERVICE);
                }
                case WEIGHTED -> {
                    lifecycle = null;
                    balancer = new ClusterMetricsLoadBalancer(instances, new WeightedRoutees(metrics, selector), observer, SERVICE);
                }
                case POWER_OF_TWO -> {
                    LeastInFlightOfTwo p2c = new LeastInFlightOfTwo(instances);
                    lifecycle = p2c;
                    balancer = p2c;
                }
                case CAPACITY_AWARE -> {
                    CapacityAwareRoutees router = new CapacityAwareRoutees(metrics, selector);
                    lifecycle = new ClusterMetricsLoadBalancerLifecycle(router, aliases, Duration.ofMinutes(1));
                    balancer = new ClusterMetricsLoadBalancer(instances, router, observer, SERVICE);
                }
            }
        }

        /** The observer, which pulls {@value #SERVICE}'s load while a metrics-routed phase asks for it. */
        MetricsObserver observer() {
            return observer;
        }
    }
}
