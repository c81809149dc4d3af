package io.clustermetrics.autoconfigure;

import io.clustermetrics.CapacityAwareRoutees;
import io.clustermetrics.Router;
import io.clustermetrics.WeightedRoutees;
import io.clustermetrics.cloud.ClusterMetricsLoadBalancerLifecycle;
import org.springframework.cloud.client.loadbalancer.LoadBalancerLifecycle;

import io.clustermetrics.gossip.ClusterMetricsGossip;
import io.clustermetrics.gossip.GossipPeers;
import io.clustermetrics.cloud.ClusterMetricsLoadBalancer;
import io.clustermetrics.cloud.DiscoveryGossipPeers;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.cloud.client.discovery.simple.SimpleDiscoveryClientAutoConfiguration;
import org.springframework.cloud.commons.util.UtilAutoConfiguration;
import org.springframework.cloud.client.DefaultServiceInstance;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.cloud.client.serviceregistry.Registration;
import org.springframework.cloud.loadbalancer.annotation.LoadBalancerClient;
import org.springframework.cloud.loadbalancer.annotation.LoadBalancerClientSpecification;
import org.springframework.cloud.loadbalancer.config.LoadBalancerAutoConfiguration;
import org.springframework.cloud.loadbalancer.core.RandomLoadBalancer;
import org.springframework.cloud.loadbalancer.core.ReactorLoadBalancer;
import org.springframework.cloud.loadbalancer.core.RoundRobinLoadBalancer;
import org.springframework.cloud.loadbalancer.core.ServiceInstanceListSupplier;
import org.springframework.cloud.loadbalancer.support.LoadBalancerClientFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/** The Spring Cloud conditions and properties: peers from a discovery client, and the load balancer switch. */
class SpringCloudAutoConfigurationTest {

    /** Spring Cloud's simple discovery client, its instances from properties: two of "orders", one of "billing". */
    private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(UtilAutoConfiguration.class, SimpleDiscoveryClientAutoConfiguration.class,
                    ClusterMetricsAutoConfiguration.class, ClusterMetricsGossipAutoConfiguration.class,
                    ClusterMetricsLoadBalancerAutoConfiguration.class))
            .withPropertyValues("spring.application.name=orders", "cluster.metrics.gossip.peers=http://127.0.0.9:8080",
                    "spring.cloud.discovery.client.simple.instances.orders[0].uri=http://127.0.0.1:8080",
                    "spring.cloud.discovery.client.simple.instances.orders[1].uri=https://127.0.0.2:8443",
                    "spring.cloud.discovery.client.simple.instances.billing[0].uri=http://127.0.0.3:8080");

    @Test
    void peersAreTheListedOnesAndThisServicesInstances() {
        runner.run(context -> assertThat(context.getBean(GossipPeers.class).peers())
                .containsExactly("http://127.0.0.9:8080", "http://127.0.0.1:8080", "https://127.0.0.2:8443"));
    }

    @Test
    void theServiceIdCanBeNamedAndDiscoverySwitchedOff() {
        runner.withPropertyValues("cluster.metrics.discovery.service-id=billing").run(context -> assertThat(
                context.getBean(GossipPeers.class).peers()).containsExactly("http://127.0.0.9:8080", "http://127.0.0.3:8080"));
        runner.withPropertyValues("cluster.metrics.discovery.enabled=false").run(context -> assertThat(
                context.getBean(GossipPeers.class).peers()).containsExactly("http://127.0.0.9:8080"));
    }

    @Test
    void aNodeThatRegistersItselfCallsItselfByItsRegisteredUriUnlessTold() {
        Registration registration = new Registration() {
            @Override
            public String getServiceId() {
                return "orders";
            }

            @Override
            public String getHost() {
                return "orders-1.internal";
            }

            @Override
            public int getPort() {
                return 8080;
            }

            @Override
            public boolean isSecure() {
                return false;
            }

            @Override
            public URI getUri() {
                return URI.create("http://orders-1.internal:8080");
            }

            @Override
            public Map<String, String> getMetadata() {
                return Map.of();
            }
        };
        runner.withBean(Registration.class, () -> registration).run(context -> assertThat(
                context.getBean(ClusterMetricsGossip.class).selfAddress()).isEqualTo("http://orders-1.internal:8080"));
        runner.withBean(Registration.class, () -> registration).withPropertyValues("cluster.metrics.node-address=http://127.0.0.5:8080")
                .run(context -> assertThat(context.getBean(ClusterMetricsGossip.class).selfAddress()).isEqualTo("http://127.0.0.5:8080"));
        runner.withBean(Registration.class, () -> registration).withPropertyValues("cluster.metrics.discovery.enabled=false")
                .run(context -> assertThat(context.getBean(ClusterMetricsGossip.class).selfAddress())
                        .as("peers from discovery off, the registered name stays").isEqualTo("http://orders-1.internal:8080"));
        runner.withBean("one", Registration.class, () -> registration).withBean("two", Registration.class, () -> registration)
                .run(context -> assertThat(context).as("two registrations: no single name, no failure").hasNotFailed());
    }

    @Test
    void aFailingDiscoveryClientLeavesTheListedPeers() {
        AtomicBoolean down = new AtomicBoolean(true);
        DiscoveryClient registry = new DiscoveryClient() {
            @Override
            public String description() {
                return "a registry that is down, then up";
            }

            @Override
            public List<ServiceInstance> getInstances(String serviceId) {
                if (down.get()) {
                    throw new IllegalStateException("connection refused");
                }
                return List.of(new DefaultServiceInstance("orders-1", serviceId, "127.0.0.1", 8080, false));
            }

            @Override
            public List<String> getServices() {
                return List.of("orders");
            }
        };
        DiscoveryGossipPeers peers = new DiscoveryGossipPeers(List.of("http://127.0.0.9:8080"), () -> registry, "orders");
        assertThat(peers.peers()).containsExactly("http://127.0.0.9:8080");
        down.set(false);
        assertThat(peers.peers()).containsExactly("http://127.0.0.9:8080", "http://127.0.0.1:8080");
    }

    @Test
    void withoutSpringCloudTheAppStartsAsBefore() {
        new WebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(ClusterMetricsAutoConfiguration.class, ClusterMetricsGossipAutoConfiguration.class,
                        ClusterMetricsLoadBalancerAutoConfiguration.class))
                .withClassLoader(new FilteredClassLoader("org.springframework.cloud."))
                .withPropertyValues("cluster.metrics.gossip.peers=http://127.0.0.9:8080", "cluster.metrics.loadbalancer.enabled=true")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(GossipPeers.class)).isNotInstanceOf(DiscoveryGossipPeers.class);
                    assertThat(context.getBean(GossipPeers.class).peers()).containsExactly("http://127.0.0.9:8080");
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

    @Test
    void oneClientCanBeNamedAndAClientsOwnBalancerWins() {
        WebApplicationContextRunner clients = runner.withConfiguration(AutoConfigurations.of(LoadBalancerAutoConfiguration.class));
        clients.withUserConfiguration(OrdersByMetrics.class).run(context -> {
            LoadBalancerClientFactory factory = context.getBean(LoadBalancerClientFactory.class);
            assertThat(factory.getInstance("orders")).isInstanceOf(ClusterMetricsLoadBalancer.class);
            assertThat(factory.getInstance("billing")).as("Spring Cloud's default").isInstanceOf(RoundRobinLoadBalancer.class);
        });
        clients.withUserConfiguration(BillingAtRandom.class).withPropertyValues("cluster.metrics.loadbalancer.enabled=true")
                .run(context -> {
                    LoadBalancerClientFactory factory = context.getBean(LoadBalancerClientFactory.class);
                    assertThat(factory.getInstance("orders")).isInstanceOf(ClusterMetricsLoadBalancer.class);
                    assertThat(factory.getInstance("billing")).isInstanceOf(RandomLoadBalancer.class);
                });
    }

    @Test
    void eachClientGetsItsOwnCapacityAwareRouterAndLifecycleByDefaultAndWeightedWhenAsked() {
        WebApplicationContextRunner clients = runner.withConfiguration(AutoConfigurations.of(LoadBalancerAutoConfiguration.class))
                .withPropertyValues("cluster.metrics.loadbalancer.enabled=true");
        clients.run(context -> {
            LoadBalancerClientFactory factory = context.getBean(LoadBalancerClientFactory.class);
            Router orders = factory.getInstance("orders", Router.class);
            assertThat(orders).isInstanceOf(CapacityAwareRoutees.class).isNotSameAs(factory.getInstance("billing", Router.class));
            assertThat(factory.getInstance("orders", ClusterMetricsLoadBalancerLifecycle.class)
                    .supports(Object.class, Object.class, ServiceInstance.class)).isTrue();
            assertThat(factory.getInstances("orders", LoadBalancerLifecycle.class).values())
                    .hasAtLeastOneElementOfType(ClusterMetricsLoadBalancerLifecycle.class);
        });
        clients.withPropertyValues("cluster.metrics.loadbalancer.strategy=weighted").run(context -> {
            LoadBalancerClientFactory factory = context.getBean(LoadBalancerClientFactory.class);
            assertThat(factory.getInstance("orders", Router.class)).isInstanceOf(WeightedRoutees.class);
            assertThat(factory.getInstance("orders", ClusterMetricsLoadBalancerLifecycle.class)
                    .supports(Object.class, Object.class, ServiceInstance.class)).as("nothing to feed").isFalse();
        });
    }

    @Test
    void aClientsOwnRouterWins() {
        runner.withConfiguration(AutoConfigurations.of(LoadBalancerAutoConfiguration.class))
                .withUserConfiguration(OrdersByOwnRouter.class)
                .run(context -> assertThat(context.getBean(LoadBalancerClientFactory.class).getInstance("orders", Router.class))
                        .isSameAs(OrdersByOwnRouter.ROUTER));
    }

    @Test
    void theStrategyAndAbandonAfterAreChecked() {
        runner.withPropertyValues("cluster.metrics.loadbalancer.strategy=fastest").run(context -> assertThat(context)
                .getFailure().rootCause().hasMessageContaining("fastest"));
        runner.withPropertyValues("cluster.metrics.loadbalancer.abandon-after=0s").run(context -> assertThat(context)
                .getFailure().rootCause().hasMessageContaining("cluster.metrics.loadbalancer.abandon-after").hasMessageContaining("must be positive"));
        runner.withPropertyValues("cluster.metrics.loadbalancer.strategy=WEIGHTED").run(context -> assertThat(
                context.getBean(ClusterMetricsProperties.class).loadbalancer().strategy())
                .isEqualTo(ClusterMetricsProperties.RoutingStrategy.WEIGHTED));
    }

    /** A client with a router of its own, marked primary as the configuration's Javadoc says. */
    @Configuration(proxyBeanMethods = false)
    @LoadBalancerClient(name = "orders", configuration = {OwnRouter.class, ClusterMetricsLoadBalancerConfiguration.class})
    static class OrdersByOwnRouter {
        static final Router ROUTER = candidates -> candidates.isEmpty() ? -1 : 0;
    }

    /** The router of {@link OrdersByOwnRouter}. */
    @Configuration(proxyBeanMethods = false)
    static class OwnRouter {
        @Bean
        @org.springframework.context.annotation.Primary
        Router ownRouter() {
            return OrdersByOwnRouter.ROUTER;
        }
    }

    /** One client routed by cluster metrics, the Spring Cloud way. */
    @Configuration(proxyBeanMethods = false)
    @LoadBalancerClient(name = "orders", configuration = ClusterMetricsLoadBalancerConfiguration.class)
    static class OrdersByMetrics {}

    /** One client with a balancer of its own, which the switch for all clients leaves alone. */
    @Configuration(proxyBeanMethods = false)
    @LoadBalancerClient(name = "billing", configuration = AtRandom.class)
    static class BillingAtRandom {}

    static class AtRandom {

        @Bean
        ReactorLoadBalancer<ServiceInstance> randomLoadBalancer(Environment environment, LoadBalancerClientFactory factory) {
            String name = LoadBalancerClientFactory.getName(environment);
            return new RandomLoadBalancer(factory.getLazyProvider(name, ServiceInstanceListSupplier.class), name);
        }
    }
}
