package io.clustermetrics.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.cloud.client.discovery.simple.SimpleDiscoveryClientAutoConfiguration;
import org.springframework.cloud.commons.util.UtilAutoConfiguration;
import org.springframework.cloud.loadbalancer.annotation.LoadBalancerClientSpecification;

/** The Spring Cloud conditions and properties: peers from a discovery client, and the load balancer switch. */
class SpringCloudAutoConfigurationTest {

    /** Spring Cloud's simple discovery client, its instances from properties: two of "orders", one of "billing". */
    private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(UtilAutoConfiguration.class, SimpleDiscoveryClientAutoConfiguration.class,
                    ClusterMetricsAutoConfiguration.class, ClusterMetricsLoadBalancerAutoConfiguration.class))
            .withPropertyValues("spring.application.name=orders", "cluster.metrics.gossip.peers=http://10.0.0.9:8080",
                    "spring.cloud.discovery.client.simple.instances.orders[0].uri=http://10.0.0.1:8080",
                    "spring.cloud.discovery.client.simple.instances.orders[1].uri=https://10.0.0.2:8443",
                    "spring.cloud.discovery.client.simple.instances.billing[0].uri=http://10.0.0.3:8080");

    @Test
    void peersAreTheListedOnesAndThisServicesInstances() {
        runner.run(context -> assertThat(context.getBean(GossipPeers.class).peers())
                .containsExactly("http://10.0.0.9:8080", "http://10.0.0.1:8080", "https://10.0.0.2:8443"));
    }

    @Test
    void theServiceIdCanBeNamedAndDiscoverySwitchedOff() {
        runner.withPropertyValues("cluster.metrics.discovery.service-id=billing").run(context -> assertThat(
                context.getBean(GossipPeers.class).peers()).containsExactly("http://10.0.0.9:8080", "http://10.0.0.3:8080"));
        runner.withPropertyValues("cluster.metrics.discovery.enabled=false").run(context -> assertThat(
                context.getBean(GossipPeers.class).peers()).containsExactly("http://10.0.0.9:8080"));
    }

    @Test
    void withoutSpringCloudTheAppStartsAsBefore() {
        new WebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(ClusterMetricsAutoConfiguration.class,
                        ClusterMetricsLoadBalancerAutoConfiguration.class))
                .withClassLoader(new FilteredClassLoader("org.springframework.cloud."))
                .withPropertyValues("cluster.metrics.gossip.peers=http://10.0.0.9:8080", "cluster.metrics.loadbalancer.enabled=true")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(GossipPeers.class)).isNotInstanceOf(DiscoveryGossipPeers.class);
                    assertThat(context.getBean(GossipPeers.class).peers()).containsExactly("http://10.0.0.9:8080");
                });
    }

    @Test
    void theLoadBalancerSwitchMakesOurBalancerEveryClientsDefault() {
        runner.run(context -> assertThat(context).doesNotHaveBean(LoadBalancerClientSpecification.class));
        runner.withPropertyValues("cluster.metrics.loadbalancer.enabled=true").run(context -> assertThat(
                context.getBeansOfType(LoadBalancerClientSpecification.class).values())
                .singleElement()
                .satisfies(spec -> {
                    assertThat(spec.getName()).startsWith("default.");
                    assertThat(spec.getConfiguration()).containsExactly(ClusterMetricsLoadBalancerConfiguration.class);
                }));
    }
}
