package io.clustermetrics.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.clustermetrics.AdaptiveLoadBalancer;
import io.clustermetrics.ClusterMetrics;
import io.clustermetrics.JdkProbe;
import io.clustermetrics.MetricsProbe;
import io.clustermetrics.MetricsSelector;
import io.clustermetrics.MetricsTransport;
import io.clustermetrics.NodeMetrics;
import io.clustermetrics.OshiProbe;
import io.clustermetrics.StaticProbe;
import io.clustermetrics.WeightedRoutees;
import io.clustermetrics.actuate.ClusterMetricsEndpoint;
import io.clustermetrics.actuate.ClusterMetricsHealthIndicator;
import io.clustermetrics.actuate.ClusterMetricsMeters;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.function.RouterFunction;

/** Every condition and property of the auto-configuration, in application contexts that are not started as servers. */
class ClusterMetricsAutoConfigurationTest {

    private static final AutoConfigurations CONFIGURATIONS =
            AutoConfigurations.of(ClusterMetricsAutoConfiguration.class, ClusterMetricsActuatorAutoConfiguration.class);

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(CONFIGURATIONS);
    private final WebApplicationContextRunner web = new WebApplicationContextRunner().withConfiguration(CONFIGURATIONS);

    @Test
    void defaultsGiveTheStoreAnOshiProbeMixAndBothRouters() {
        runner.run(context -> {
            assertThat(context).hasSingleBean(ClusterMetrics.class).hasSingleBean(WeightedRoutees.class)
                    .hasSingleBean(AdaptiveLoadBalancer.class);
            assertThat(context.getBean(MetricsProbe.class)).isInstanceOf(OshiProbe.class);
            assertThat(context.getBean(MetricsSelector.class)).isEqualTo(MetricsSelector.MIX);
            assertThat(context.getBean(WeightedRoutees.class).selector()).isEqualTo(MetricsSelector.MIX);
            assertThat(context.getBean(AdaptiveLoadBalancer.class).selector()).isEqualTo(MetricsSelector.MIX);
            ClusterMetricsProperties properties = context.getBean(ClusterMetricsProperties.class);
            assertThat(properties.sampleInterval()).hasSeconds(3);
            assertThat(properties.movingAverageHalfLife()).hasSeconds(12);
            assertThat(properties.gossip().interval()).hasSeconds(3);
            assertThat(properties.gossip().fanout()).isEqualTo(3);
            assertThat(properties.gossip().peers()).isEmpty();
            assertThat(properties.gossip().maxBodySize().toKilobytes()).isEqualTo(64);
            assertThat(properties.ttl()).hasSeconds(15);
            assertThat(properties.maxNodes()).isEqualTo(1000);
            assertThat(context).doesNotHaveBean(ClusterMetricsGossip.class).doesNotHaveBean(MetricsTransport.class);
        });
    }

    @Test
    void disabledMeansNoBeanAtAll() {
        runner.withPropertyValues("cluster.metrics.enabled=false").run(context -> assertThat(context)
                .doesNotHaveBean(ClusterMetrics.class).doesNotHaveBean(MetricsProbe.class)
                .doesNotHaveBean(WeightedRoutees.class).doesNotHaveBean(ClusterMetricsHealthIndicator.class)
                .doesNotHaveBean(ClusterMetricsMeters.class));
        web.withPropertyValues("cluster.metrics.enabled=false").run(context -> assertThat(context)
                .doesNotHaveBean(ClusterMetricsGossip.class).doesNotHaveBean("clusterMetricsGossipRoute"));
        // a store of the app's own is no reason to start the Actuator side half-wired
        runner.withPropertyValues("cluster.metrics.enabled=false", "management.endpoints.web.exposure.include=clustermetrics")
                .withBean(ClusterMetrics.class, ClusterMetrics::new).withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(ClusterMetricsEndpoint.class)
                        .doesNotHaveBean(ClusterMetricsHealthIndicator.class).doesNotHaveBean(ClusterMetricsMeters.class));
    }

    @Test
    void theSelectorPropertyTakesEveryValue() {
        for (String name : List.of("cpu", "heap", "mix", "system-load-average")) {
            runner.withPropertyValues("cluster.metrics.selector=" + name).run(context -> assertThat(
                    context.getBean(WeightedRoutees.class).selector().name()).isEqualTo(name.toUpperCase().replace('-', '_')));
        }
    }

    @Test
    void aStaticProbeReportsTheConfiguredValues() {
        runner.withPropertyValues("cluster.metrics.probe.type=static", "cluster.metrics.probe.static.cpu-load=0.7",
                "cluster.metrics.probe.static.memory-used=5", "cluster.metrics.probe.static.memory-max=10")
                .run(context -> assertThat(context.getBean(MetricsProbe.class)).isEqualTo(new StaticProbe(0.7, 5, 10)));
    }

    @Test
    void theJdkProbeOnRequestAndTheHeapAsMemory() {
        runner.withPropertyValues("cluster.metrics.probe.type=jdk", "cluster.metrics.probe.memory=heap").run(context -> {
            MetricsProbe probe = context.getBean(MetricsProbe.class);
            assertThat(probe).isInstanceOf(JdkProbe.class);
            assertThat(probe.sample("a", 1).memoryMax()).isEqualTo(Runtime.getRuntime().maxMemory());
        });
        runner.withPropertyValues("cluster.metrics.probe.memory=heap").run(context -> assertThat(
                context.getBean(MetricsProbe.class).sample("a", 1).memoryMax()).isEqualTo(Runtime.getRuntime().maxMemory()));
    }

    @Test
    void withoutOshiOnTheClassPathTheJdkProbeStepsIn() {
        runner.withClassLoader(new FilteredClassLoader("oshi.")).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(MetricsProbe.class)).isInstanceOf(JdkProbe.class);
        });
    }

    @Test
    void ttlAndMaxNodesShapeTheStore() {
        runner.withPropertyValues("cluster.metrics.max-nodes=1", "cluster.metrics.ttl=1h").run(context -> {
            ClusterMetrics store = context.getBean(ClusterMetrics.class);
            store.publish(new NodeMetrics("a", 1, 0.5, 1, 2));
            store.publish(new NodeMetrics("b", 1, 0.5, 1, 2));
            assertThat(store.snapshot()).extracting(NodeMetrics::address).containsExactly("a");
            assertThat(store.nextExpiry()).get().satisfies(expiry -> assertThat(expiry)
                    .isAfter(Instant.now().plusSeconds(3500)));
        });
    }

    @Test
    void badSettingsStopTheAppWithAClearMessage() {
        List.of("cluster.metrics.gossip.fanout=0", "cluster.metrics.gossip.path=gossip", "cluster.metrics.ttl=0s",
                "cluster.metrics.max-nodes=0", "cluster.metrics.sample-interval=-1s", "cluster.metrics.selector=fastest")
                .forEach(setting -> runner.withPropertyValues(setting).run(context -> assertThat(context).hasFailed()
                        .getFailure().hasStackTraceContaining(setting.substring(0, setting.indexOf('=')))));
    }

    @Test
    void theSecretNeverShowsInTheSettingsText() {
        runner.withPropertyValues("cluster.metrics.gossip.secret=s3cr3t-value").run(context -> {
            ClusterMetricsProperties properties = context.getBean(ClusterMetricsProperties.class);
            assertThat(properties.gossip().secret()).isEqualTo("s3cr3t-value");
            assertThat(properties.toString()).doesNotContain("s3cr3t-value").contains("secret=******");
        });
    }

    @Test
    void aServletWebAppGossipsOverHttp() {
        web.withPropertyValues("cluster.metrics.gossip.peers=http://127.0.0.1:1,http://127.0.0.1:2",
                "cluster.metrics.gossip.path=/internal/gossip").run(context -> {
            assertThat(context.getBean(MetricsTransport.class)).isInstanceOf(HttpMetricsTransport.class);
            assertThat(context).hasSingleBean(ClusterMetricsGossip.class).hasSingleBean(GossipCodec.class)
                    .hasSingleBean(GossipStatistics.class).hasBean("clusterMetricsGossipRoute");
            assertThat(context.getBean(GossipPeers.class).peers()).containsExactly("http://127.0.0.1:1", "http://127.0.0.1:2");
            assertThat(context.getBean("clusterMetricsGossipRoute", RouterFunction.class).toString()).contains("/internal/gossip");
            // a mock servlet context has no server, so no address: the node does not gossip
            assertThat(context.getBean(ClusterMetricsGossip.class).isRunning()).isFalse();
        });
    }

    @Test
    void anExplicitNodeAddressStartsGossipWithoutAServer() {
        web.withPropertyValues("cluster.metrics.node-address=http://10.1.2.3:8080").run(context -> {
            ClusterMetricsGossip gossip = context.getBean(ClusterMetricsGossip.class);
            assertThat(gossip.isRunning()).isTrue();
            assertThat(gossip.selfAddress()).isEqualTo("http://10.1.2.3:8080");
        });
    }

    @Test
    void everyBeanBacksOffForTheUsersOwn() {
        web.withUserConfiguration(UserBeans.class).run(context -> {
            assertThat(context.getBean(ClusterMetrics.class)).isSameAs(UserBeans.METRICS);
            assertThat(context.getBean(MetricsProbe.class)).isSameAs(UserBeans.PROBE);
            assertThat(context.getBean(MetricsSelector.class)).isEqualTo(MetricsSelector.HEAP);
            assertThat(context.getBean(WeightedRoutees.class)).isSameAs(UserBeans.ROUTEES);
            assertThat(context.getBean(AdaptiveLoadBalancer.class)).isSameAs(UserBeans.BALANCER);
            assertThat(context.getBean(MetricsTransport.class)).isSameAs(UserBeans.TRANSPORT);
            assertThat(context.getBean(GossipPeers.class)).isSameAs(UserBeans.PEERS);
            assertThat(context.getBean(GossipCodec.class)).isSameAs(UserBeans.CODEC);
            assertThat(context.getBean(ClusterMetricsEndpoint.class)).isSameAs(UserBeans.ENDPOINT);
            assertThat(context).getBeans(MetricsProbe.class).hasSize(1);
        });
    }

    @Test
    void actuatorPartsComeWithTheirLibrariesAndSwitches() {
        web.withPropertyValues("management.endpoints.web.exposure.include=clustermetrics")
                .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .run(context -> assertThat(context).hasSingleBean(ClusterMetricsEndpoint.class)
                        .hasSingleBean(ClusterMetricsHealthIndicator.class).hasSingleBean(ClusterMetricsMeters.class));
        web.run(context -> assertThat(context).as("not exposed").doesNotHaveBean(ClusterMetricsEndpoint.class));
        web.withPropertyValues("management.health.clustermetrics.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(ClusterMetricsHealthIndicator.class));
        web.withClassLoader(new FilteredClassLoader("org.springframework.boot.health.", "io.micrometer.",
                        "org.springframework.boot.actuate."))
                .withPropertyValues("management.endpoints.web.exposure.include=clustermetrics")
                .run(context -> assertThat(context).hasNotFailed().hasSingleBean(ClusterMetrics.class)
                        .doesNotHaveBean(ClusterMetricsEndpoint.class).doesNotHaveBean(ClusterMetricsHealthIndicator.class)
                        .doesNotHaveBean(ClusterMetricsMeters.class));
    }

    @Configuration(proxyBeanMethods = false)
    static class UserBeans {

        static final ClusterMetrics METRICS = new ClusterMetrics();
        static final MetricsProbe PROBE = new StaticProbe(0.2, 1, 2);
        static final WeightedRoutees ROUTEES = new WeightedRoutees(METRICS, MetricsSelector.CPU);
        static final AdaptiveLoadBalancer BALANCER = new AdaptiveLoadBalancer(METRICS);
        static final MetricsTransport TRANSPORT = (target, pdu) -> {};
        static final GossipPeers PEERS = List::of;
        static final GossipCodec CODEC = new GossipCodec();
        static final ClusterMetricsEndpoint ENDPOINT = new ClusterMetricsEndpoint(METRICS, MetricsSelector.CPU, () -> "me");

        @Bean
        ClusterMetrics myMetrics() {
            return METRICS;
        }

        @Bean
        MetricsProbe myProbe() {
            return PROBE;
        }

        @Bean
        MetricsSelector mySelector() {
            return MetricsSelector.HEAP;
        }

        @Bean
        WeightedRoutees myRoutees() {
            return ROUTEES;
        }

        @Bean
        AdaptiveLoadBalancer myBalancer() {
            return BALANCER;
        }

        @Bean
        MetricsTransport myTransport() {
            return TRANSPORT;
        }

        @Bean
        GossipPeers myPeers() {
            return PEERS;
        }

        @Bean
        GossipCodec myCodec() {
            return CODEC;
        }

        @Bean
        ClusterMetricsEndpoint myEndpoint() {
            return ENDPOINT;
        }
    }
}
