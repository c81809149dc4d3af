package io.clustermetrics.autoconfigure;

import io.clustermetrics.ClusterMetrics;
import io.clustermetrics.MetricsObserver;
import io.clustermetrics.MetricsSelector;
import io.clustermetrics.NodeAliases;
import io.clustermetrics.WeightedRoutees;
import io.clustermetrics.cloud.ClusterMetricsLoadBalancer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.cloud.loadbalancer.core.ReactorLoadBalancer;
import org.springframework.cloud.loadbalancer.core.ReactorServiceInstanceLoadBalancer;
import org.springframework.cloud.loadbalancer.core.ServiceInstanceListSupplier;
import org.springframework.cloud.loadbalancer.support.LoadBalancerClientFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Routes a Spring Cloud LoadBalancer client by cluster metrics. Name it for one client,
 * {@code @LoadBalancerClient(name = "orders", configuration = ClusterMetricsLoadBalancerConfiguration.class)},
 * or for all, {@code @LoadBalancerClients(defaultConfiguration = ClusterMetricsLoadBalancerConfiguration.class)}
 * or {@code cluster.metrics.loadbalancer.enabled=true}. Not a component: keep it out of component scanning.
 */
@Configuration(proxyBeanMethods = false)
public class ClusterMetricsLoadBalancerConfiguration {

    /**
     * The metrics-weighted balancer of this client's service, unless the client configures one of its own.
     * Each client gets a router of its own, with the app's selector: a router keeps the weight table of the
     * last candidate list it saw, so one shared by clients calling different services would rebuild it on
     * nearly every call. The app's {@link MetricsObserver} learns the service's load and matches its instances.
     */
    @Bean
    @ConditionalOnMissingBean(ReactorLoadBalancer.class)
    public ReactorServiceInstanceLoadBalancer clusterMetricsLoadBalancer(Environment environment,
            LoadBalancerClientFactory factory, ClusterMetrics metrics, MetricsSelector selector,
            ObjectProvider<MetricsObserver> observer) {
        String service = LoadBalancerClientFactory.getName(environment);
        return new ClusterMetricsLoadBalancer(factory.getLazyProvider(service, ServiceInstanceListSupplier.class),
                new WeightedRoutees(metrics, selector), observer.getIfAvailable(() -> new MetricsObserver(metrics,
                        (target, pdu) -> { }, new NodeAliases(), null, Long.MAX_VALUE, new java.util.Random())), service);
    }
}
