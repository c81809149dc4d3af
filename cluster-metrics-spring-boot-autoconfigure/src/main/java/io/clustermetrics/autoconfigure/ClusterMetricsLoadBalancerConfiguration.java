package io.clustermetrics.autoconfigure;

import io.clustermetrics.CapacityAwareRoutees;
import io.clustermetrics.ClusterMetrics;
import io.clustermetrics.MetricsObserver;
import io.clustermetrics.MetricsSelector;
import io.clustermetrics.NodeAliases;
import io.clustermetrics.Router;
import io.clustermetrics.WeightedRoutees;
import io.clustermetrics.cloud.ClusterMetricsLoadBalancer;
import io.clustermetrics.cloud.ClusterMetricsLoadBalancerLifecycle;
import java.util.Random;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.SearchStrategy;
import org.springframework.cloud.loadbalancer.core.ReactorLoadBalancer;
import org.springframework.cloud.loadbalancer.core.ReactorServiceInstanceLoadBalancer;
import org.springframework.cloud.loadbalancer.core.ServiceInstanceListSupplier;
import org.springframework.cloud.loadbalancer.support.LoadBalancerClientFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.core.env.Environment;

/**
 * Routes a Spring Cloud LoadBalancer client by cluster metrics. Name it for one client,
 * {@code @LoadBalancerClient(name = "orders", configuration = ClusterMetricsLoadBalancerConfiguration.class)},
 * or for all, {@code @LoadBalancerClients(defaultConfiguration = ClusterMetricsLoadBalancerConfiguration.class)}
 * or {@code cluster.metrics.loadbalancer.enabled=true}. Not a component: keep it out of component scanning.
 *
 * <p>Each client gets a router of its own, with the app's selector: a router keeps the weight table of the
 * last candidate list it saw and, capacity-aware, this client's calls to each instance, so one shared by
 * clients calling different services would mix them up.
 */
@Configuration(proxyBeanMethods = false)
public class ClusterMetricsLoadBalancerConfiguration {

    /**
     * This client's router, by {@code cluster.metrics.loadbalancer.strategy}, unless the client declares one
     * (mark it {@code @Primary} too). Primary, so that it wins over the app's {@link WeightedRoutees} bean.
     */
    @Bean
    @Primary
    @ConditionalOnMissingBean(value = Router.class, search = SearchStrategy.CURRENT)
    public Router clusterMetricsRouter(ClusterMetrics metrics, MetricsSelector selector, ClusterMetricsProperties properties) {
        return switch (properties.loadbalancer().strategy()) {
            case CAPACITY_AWARE -> new CapacityAwareRoutees(metrics, selector);
            case WEIGHTED -> new WeightedRoutees(metrics, selector);
        };
    }

    /**
     * Reports this client's calls to a capacity-aware router: Spring Cloud calls it for {@code RestClient},
     * {@code RestTemplate}, {@code WebClient} and Gateway routes. It matches instances to addresses with the
     * app's {@link NodeAliases}, as the balancer's observer does.
     */
    @Bean
    @ConditionalOnMissingBean(value = ClusterMetricsLoadBalancerLifecycle.class, search = SearchStrategy.CURRENT)
    public ClusterMetricsLoadBalancerLifecycle clusterMetricsLoadBalancerLifecycle(Router router, NodeAliases aliases,
            ClusterMetricsProperties properties) {
        return new ClusterMetricsLoadBalancerLifecycle(router, aliases, properties.loadbalancer().abandonAfter());
    }

    /**
     * The metrics-aware balancer of this client's service, unless the client configures one of its own. The
     * app's {@link MetricsObserver} learns the service's load and matches its instances; without one (gossip
     * off), a silent observer matches them with the same {@link NodeAliases} as the lifecycle.
     */
    @Bean
    @ConditionalOnMissingBean(ReactorLoadBalancer.class)
    public ReactorServiceInstanceLoadBalancer clusterMetricsLoadBalancer(Environment environment,
            LoadBalancerClientFactory factory, ClusterMetrics metrics, Router router, NodeAliases aliases,
            ObjectProvider<MetricsObserver> observer) {
        String service = LoadBalancerClientFactory.getName(environment);
        return new ClusterMetricsLoadBalancer(factory.getLazyProvider(service, ServiceInstanceListSupplier.class),
                router, observer.getIfAvailable(() -> new MetricsObserver(metrics, (target, pdu) -> { }, aliases,
                        null, Long.MAX_VALUE, new Random())), service);
    }
}
