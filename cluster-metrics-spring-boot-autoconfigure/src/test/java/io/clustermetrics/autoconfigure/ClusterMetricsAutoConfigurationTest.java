package io.clustermetrics.autoconfigure;

import io.clustermetrics.wire.GossipCodec;
import io.clustermetrics.GossipStatistics;
import io.clustermetrics.gossip.ClusterMetricsGossip;
import io.clustermetrics.gossip.HttpMetricsTransport;
import io.clustermetrics.gossip.GossipPeers;
import static org.assertj.core.api.Assertions.assertThat;

import io.clustermetrics.AdaptiveLoadBalancer;
import io.clustermetrics.ApplicationUtilization;
import io.clustermetrics.actuate.MeterUtilization;
import io.micrometer.core.instrument.Tags;
import io.clustermetrics.ClusterMetrics;
import io.clustermetrics.JdkProbe;
import io.clustermetrics.MetricsProbe;
import io.clustermetrics.MetricsObserver;
import io.clustermetrics.MetricsSelector;
import io.clustermetrics.wire.GossipReceiver;
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
import java.time.Duration;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.actuate.endpoint.SanitizingFunction;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.util.unit.DataSize;
import org.springframework.web.servlet.function.RouterFunctions;
import org.springframework.web.servlet.function.ServerResponse;
import java.util.List;
import java.util.Map;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.function.RouterFunction;

/** Every condition and property of the auto-configuration, in application contexts that are not started as servers. */
@ExtendWith(OutputCaptureExtension.class)
class ClusterMetricsAutoConfigurationTest {

    private static final AutoConfigurations CONFIGURATIONS =
            AutoConfigurations.of(ClusterMetricsAutoConfiguration.class, ClusterMetricsGossipAutoConfiguration.class,
                    ClusterMetricsActuatorAutoConfiguration.class);

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(CONFIGURATIONS);
    private final WebApplicationContextRunner web = new WebApplicationContextRunner().withConfiguration(CONFIGURATIONS);

    @Test
    void defaultsGiveTheStoreAnOshiProbeCpuAndUtilizationAndBothRouters() {
        runner.run(context -> {
            assertThat(context).hasSingleBean(ClusterMetrics.class).hasSingleBean(WeightedRoutees.class)
                    .hasSingleBean(AdaptiveLoadBalancer.class);
            assertThat(context.getBean(MetricsProbe.class)).isInstanceOf(OshiProbe.class);
            assertThat(context.getBean(MetricsSelector.class)).isEqualTo(MetricsSelector.CPU_AND_UTILIZATION);
            assertThat(context.getBean(WeightedRoutees.class).selector()).isEqualTo(MetricsSelector.CPU_AND_UTILIZATION);
            assertThat(context.getBean(AdaptiveLoadBalancer.class).selector()).isEqualTo(MetricsSelector.CPU_AND_UTILIZATION);
            assertThat(context).doesNotHaveBean(ApplicationUtilization.class);
            ClusterMetricsProperties properties = context.getBean(ClusterMetricsProperties.class);
            assertThat(properties.sampleInterval()).hasSeconds(3);
            assertThat(properties.movingAverageHalfLife()).hasSeconds(12);
            assertThat(properties.gossip().interval()).hasSeconds(3);
            assertThat(properties.gossip().fanout()).isEqualTo(3);
            assertThat(properties.gossip().peers()).isEmpty();
            assertThat(properties.gossip().maxBodySize().toKilobytes()).isEqualTo(64);
            assertThat(properties.ttl()).hasSeconds(15);
            assertThat(properties.maxNodes()).isEqualTo(1000);
            // not a web app: no endpoint and no address, so no gossip; it still observes the services it routes to
            assertThat(context).doesNotHaveBean("clusterMetricsGossipServlet").doesNotHaveBean(GossipReceiver.class)
                    .hasSingleBean(MetricsObserver.class);
            assertThat(context.getBean(MetricsTransport.class)).isInstanceOf(HttpMetricsTransport.class);
            assertThat(context.getBean(ClusterMetricsGossip.class).isRunning()).as("observing").isTrue();
            assertThat(context.getBean(ClusterMetricsGossip.class).selfAddress()).as("not gossiping").isNull();
        });
    }

    @Test
    void theSslBundleSettingNamesABundleThatMustExist() {
        ApplicationContextRunner ssl = runner.withConfiguration(AutoConfigurations.of(
                org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration.class));
        ssl.withPropertyValues("cluster.metrics.gossip.ssl.bundle=gossip-tls").run(context -> assertThat(context).hasFailed()
                .getFailure().hasStackTraceContaining("gossip-tls"));
        ssl.run(context -> assertThat(context.getBean(ClusterMetricsProperties.class).gossip().ssl().bundle()).isNull());
    }

    @Test
    void withoutSpringBootsHttpClientSupportThereIsNoGossipAndTheAppStarts() {
        web.withClassLoader(new FilteredClassLoader("org.springframework.boot.http.client.")).run(context -> assertThat(context)
                .hasNotFailed().hasSingleBean(ClusterMetrics.class).doesNotHaveBean(ClusterMetricsGossip.class)
                .doesNotHaveBean(MetricsTransport.class).doesNotHaveBean("clusterMetricsGossipServlet"));
    }

    @Test
    void disabledMeansNoBeanAtAll() {
        runner.withPropertyValues("cluster.metrics.enabled=false").run(context -> assertThat(context)
                .doesNotHaveBean(ClusterMetrics.class).doesNotHaveBean(MetricsProbe.class)
                .doesNotHaveBean(WeightedRoutees.class).doesNotHaveBean(ClusterMetricsHealthIndicator.class)
                .doesNotHaveBean(ClusterMetricsMeters.class));
        web.withPropertyValues("cluster.metrics.enabled=false").run(context -> assertThat(context)
                .doesNotHaveBean(ClusterMetricsGossip.class).doesNotHaveBean("clusterMetricsGossipServlet"));
        // a store of the app's own is no reason to start the Actuator side half-wired
        runner.withPropertyValues("cluster.metrics.enabled=false", "management.endpoints.web.exposure.include=clustermetrics")
                .withBean(ClusterMetrics.class, ClusterMetrics::new).withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(ClusterMetricsEndpoint.class)
                        .doesNotHaveBean(ClusterMetricsHealthIndicator.class).doesNotHaveBean(ClusterMetricsMeters.class));
    }

    @Test
    void theSelectorPropertyTakesEveryValue() {
        for (String name : List.of("cpu", "heap", "mix", "system-load-average", "utilization", "cpu-and-utilization")) {
            runner.withPropertyValues("cluster.metrics.selector=" + name).run(context -> assertThat(
                    context.getBean(WeightedRoutees.class).selector().name()).isEqualTo(name.toUpperCase().replace('-', '_')));
        }
    }

    @Test
    void aUtilizationMeterIsReadFromTheRegistryAsABusyCountOverACapacity() {
        MeterRegistry registry = new SimpleMeterRegistry();
        registry.gauge("executor.active", Tags.of("name", "work"), 3);
        registry.gauge("executor.pool.max", Tags.of("name", "work"), 4);
        registry.gauge("executor.active", Tags.of("name", "other"), 99);
        runner.withBean(MeterRegistry.class, () -> registry)
                .withPropertyValues("cluster.metrics.probe.utilization.meter=executor.active",
                        "cluster.metrics.probe.utilization.capacity-meter=executor.pool.max",
                        "cluster.metrics.probe.utilization.tags.name=work")
                .run(context -> {
                    ApplicationUtilization utilization = context.getBean(ApplicationUtilization.class);
                    assertThat(utilization).isInstanceOf(MeterUtilization.class);
                    assertThat(utilization.utilization()).isEqualTo(0.75);
                    assertThat(context).hasBean("clusterMetricsUtilizationCheck");
                });
        runner.withBean(MeterRegistry.class, () -> registry)
                .withPropertyValues("cluster.metrics.probe.utilization.meter=executor.active")
                .run(context -> assertThat(context.getBean(ApplicationUtilization.class).utilization())
                        .as("every gauge of the name, added up").isEqualTo(102));
    }

    @Test
    void theAppsOwnUtilizationWinsAndAMisconfiguredMeterStopsTheApp() {
        ApplicationUtilization own = () -> 0.5;
        runner.withBean(MeterRegistry.class, SimpleMeterRegistry::new).withBean(ApplicationUtilization.class, () -> own)
                .withPropertyValues("cluster.metrics.probe.utilization.meter=executor.active")
                .run(context -> assertThat(context.getBean(ApplicationUtilization.class)).isSameAs(own));
        runner.withPropertyValues("cluster.metrics.probe.utilization.capacity-meter=executor.pool.max")
                .run(context -> assertThat(context).getFailure().rootCause()
                        .hasMessageContaining("set cluster.metrics.probe.utilization.meter too"));
        runner.withPropertyValues("cluster.metrics.probe.utilization.meter= ")
                .run(context -> assertThat(context).getFailure().rootCause().hasMessageContaining("must name a gauge"));
        runner.withPropertyValues("cluster.metrics.probe.utilization.meter=executor.active")
                .run(context -> assertThat(context).getFailure().rootCause()
                        .hasMessageContaining("cluster.metrics.probe.utilization.meter").hasMessageContaining("no MeterRegistry"));
        runner.withClassLoader(new FilteredClassLoader("io.micrometer.core."))
                .withPropertyValues("cluster.metrics.probe.utilization.meter=executor.active")
                .run(context -> assertThat(context).getFailure().rootCause()
                        .hasMessageContaining("Micrometer is not on the class path"));
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
    void theAutoConfigurationAloneRunsOnTheJdkProbe() {
        // the autoconfigure module without the starter's Actuator, Micrometer and OSHI: README's lighter app
        web.withClassLoader(new FilteredClassLoader("oshi.", "org.springframework.boot.actuate.",
                "org.springframework.boot.health.", "io.micrometer.core.")).run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(ClusterMetricsGossip.class)
                            .hasSingleBean(WeightedRoutees.class).hasBean("clusterMetricsGossipServlet")
                            .doesNotHaveBean(ClusterMetricsEndpoint.class).doesNotHaveBean(ClusterMetricsMeters.class)
                            .doesNotHaveBean("clusterMetricsHealthIndicator");
                    assertThat(context.getBean(MetricsProbe.class)).isInstanceOf(JdkProbe.class);
                    assertThat(context.getBean(MetricsProbe.class).sample("http://127.0.0.1:1", 1).cpuLoad()).isBetween(0.0, 1.0);
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
    void everyTimingAndGossipSettingBinds() {
        runner.withPropertyValues("cluster.metrics.node-address=http://127.1.2.3:8080", "cluster.metrics.sample-interval=250ms",
                "cluster.metrics.moving-average-half-life=5s", "cluster.metrics.gossip.interval=750ms",
                "cluster.metrics.gossip.fanout=5", "cluster.metrics.gossip.peers=http://127.1.2.4:8080",
                "cluster.metrics.gossip.path=/internal/gossip", "cluster.metrics.gossip.max-body-size=1MB",
                "cluster.metrics.gossip.connect-timeout=150ms", "cluster.metrics.gossip.read-timeout=900ms",
                "cluster.metrics.gossip.max-clock-skew=2m").run(context -> {
            ClusterMetricsProperties p = context.getBean(ClusterMetricsProperties.class);
            assertThat(p.nodeAddress()).isEqualTo("http://127.1.2.3:8080");
            assertThat(p.sampleInterval()).isEqualTo(Duration.ofMillis(250));
            assertThat(p.movingAverageHalfLife()).isEqualTo(Duration.ofSeconds(5));
            ClusterMetricsProperties.Gossip g = p.gossip();
            assertThat(List.of(g.interval(), g.connectTimeout(), g.readTimeout(), g.maxClockSkew())).containsExactly(
                    Duration.ofMillis(750), Duration.ofMillis(150), Duration.ofMillis(900), Duration.ofMinutes(2));
            assertThat(g.fanout()).isEqualTo(5);
            assertThat(g.peers()).containsExactly("http://127.1.2.4:8080");
            assertThat(g.path()).isEqualTo("/internal/gossip");
            assertThat(g.maxBodySize()).isEqualTo(DataSize.ofMegabytes(1));
        });
        runner.run(context -> {
            ClusterMetricsProperties p = context.getBean(ClusterMetricsProperties.class);
            assertThat(p.nodeAddress()).isNull();
            assertThat(List.of(p.sampleInterval(), p.movingAverageHalfLife(), p.ttl(), p.gossip().interval()))
                    .as("Akka's 3 s, 12 s, and five gossip intervals").containsExactly(
                            Duration.ofSeconds(3), Duration.ofSeconds(12), Duration.ofSeconds(15), Duration.ofSeconds(3));
            assertThat(p.gossip().secret()).isNull();
        });
    }

    @Test
    void withoutASecretTheAppSaysSoOnceAtStartup(CapturedOutput output) {
        String warning = "no cluster.metrics.gossip.secret is set";
        web.run(context -> assertThat(context).hasNotFailed());
        assertThat(output.getAll().split(warning, -1)).as("one warning").hasSize(2);
        web.withPropertyValues("cluster.metrics.gossip.secret=a-secret").run(context -> assertThat(context).hasNotFailed());
        assertThat(output.getAll().split(warning, -1)).as("none more with a secret").hasSize(2);
    }

    @Test
    void aReactiveAppGossipsAsAServletAppDoes() {
        new ReactiveWebApplicationContextRunner().withConfiguration(CONFIGURATIONS)
                .withPropertyValues("cluster.metrics.gossip.path=/internal/gossip").run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(ClusterMetrics.class).hasSingleBean(WeightedRoutees.class)
                            .hasSingleBean(AdaptiveLoadBalancer.class).hasSingleBean(ClusterMetricsGossip.class)
                            .hasSingleBean(GossipReceiver.class).hasSingleBean(MetricsObserver.class);
                    assertThat(context.getBean(MetricsTransport.class)).isInstanceOf(HttpMetricsTransport.class);
                    assertThat(context.getBean("clusterMetricsGossipRoute"))
                            .isInstanceOf(org.springframework.web.reactive.function.server.RouterFunction.class)
                            .asString().contains("/internal/gossip");
                });
        // a reactive app without Spring MVC on the class path: the transport needs only spring-web
        new ReactiveWebApplicationContextRunner().withConfiguration(CONFIGURATIONS)
                .withClassLoader(new FilteredClassLoader("org.springframework.web.servlet."))
                .run(context -> assertThat(context).hasNotFailed().hasSingleBean(ClusterMetricsGossip.class)
                        .hasBean("clusterMetricsGossipRoute"));
    }

    @Test
    void everyBoundIsCheckedAtBindingWithThePropertyAndItsValue() {
        Map.ofEntries(
                Map.entry("cluster.metrics.gossip.max-body-size=-1KB", "cluster.metrics.gossip.max-body-size"),
                Map.entry("cluster.metrics.gossip.max-body-size=100B", "cluster.metrics.gossip.max-body-size"),
                Map.entry("cluster.metrics.gossip.peers=not-a-url", "cluster.metrics.gossip.peers"),
                Map.entry("cluster.metrics.ttl=1s", "cluster.metrics.ttl"), // shorter than the 3 s gossip interval
                Map.entry("cluster.metrics.probe.static.cpu-load=1.5", "cluster.metrics.probe.static.cpu-load"),
                Map.entry("cluster.metrics.probe.static.memory-used=-1", "cluster.metrics.probe.static.memory-used"),
                Map.entry("cluster.metrics.probe.static.memory-max=-1", "cluster.metrics.probe.static.memory-max"),
                Map.entry("cluster.metrics.gossip.max-concurrent-requests=0", "cluster.metrics.gossip.max-concurrent-requests"),
                Map.entry("cluster.metrics.gossip.fanout=0", "cluster.metrics.gossip.fanout"),
                Map.entry("cluster.metrics.gossip.path=/gossip?x", "cluster.metrics.gossip.path"),
                Map.entry("cluster.metrics.gossip.connect-timeout=0s", "cluster.metrics.gossip.connect-timeout"),
                Map.entry("cluster.metrics.gossip.allowed-hosts=10.0.0.0/99", "cluster.metrics.gossip.allowed-hosts"),
                Map.entry("cluster.metrics.discovery.service-id=" + "x".repeat(129), "cluster.metrics.discovery.service-id"),
                Map.entry("cluster.metrics.moving-average-half-life=0s", "cluster.metrics.moving-average-half-life"),
                Map.entry("cluster.metrics.node-address=10.0.0.1", "cluster.metrics.node-address"))
                .forEach((setting, name) -> runner.withPropertyValues(setting).run(context -> assertThat(context).as(setting).hasFailed()
                        .getFailure().rootCause().isInstanceOfSatisfying(InvalidConfigurationPropertyValueException.class,
                                invalid -> assertThat(invalid.getName()).as(setting).isEqualTo(name))));
        runner.withPropertyValues("cluster.metrics.ttl=5s", "cluster.metrics.gossip.interval=5s",
                "cluster.metrics.gossip.max-body-size=1KB", "cluster.metrics.probe.static.cpu-load=1")
                .run(context -> assertThat(context).hasNotFailed());
    }

    @Test
    void aBadSettingIsReportedByBootWithItsNameValueAndOrigin(CapturedOutput output) {
        assertThatThrownBy(() -> new SpringApplicationBuilder(com.example.app.TestNodeApplication.class)
                .web(WebApplicationType.NONE).run("--eureka.client.enabled=false", "--cluster.metrics.gossip.max-body-size=-1KB"))
                .isNotNull();
        assertThat(output).contains("cluster.metrics.gossip.max-body-size", "-1KB", "commandLineArgs",
                "must be at least 1KB");
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
                    .hasSingleBean(GossipStatistics.class).hasBean("clusterMetricsGossipServlet");
            assertThat(context.getBean(GossipPeers.class).peers()).containsExactly("http://127.0.0.1:1", "http://127.0.0.1:2");
            assertThat(context.getBean("clusterMetricsGossipServlet",
                    org.springframework.boot.web.servlet.ServletRegistrationBean.class).getUrlMappings())
                    .containsExactly("/internal/gossip");
            // a mock servlet context has no server, so no address: the node does not gossip, it observes only
            assertThat(context.getBean(ClusterMetricsGossip.class).selfAddress()).isNull();
        });
    }

    @Test
    void anExplicitNodeAddressStartsGossipWithoutAServer() {
        web.withPropertyValues("cluster.metrics.node-address=http://127.1.2.3:8080").run(context -> {
            ClusterMetricsGossip gossip = context.getBean(ClusterMetricsGossip.class);
            assertThat(gossip.isRunning()).isTrue();
            assertThat(gossip.selfAddress()).isEqualTo("http://127.1.2.3:8080");
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
    void theGossipAndActuatorPartsBackOffForTheUsersOwn() {
        GossipStatistics statistics = new GossipStatistics();
        ClusterMetricsMeters meters = new ClusterMetricsMeters(UserBeans.METRICS, MetricsSelector.CPU, statistics);
        org.springframework.boot.web.servlet.ServletRegistrationBean<?> route =
                new org.springframework.boot.web.servlet.ServletRegistrationBean<>(new jakarta.servlet.http.HttpServlet() { }, "/mine");
        HealthIndicator health = () -> Health.up().build();
        SanitizingFunction sanitizer = data -> data;
        web.withUserConfiguration(UserBeans.class)
                .withBean(GossipStatistics.class, () -> statistics)
                .withBean(ClusterMetricsMeters.class, () -> meters).withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .withBean("clusterMetricsGossipServlet", org.springframework.boot.web.servlet.ServletRegistrationBean.class,
                        () -> route)
                .withBean("clusterMetricsHealthIndicator", HealthIndicator.class, () -> health)
                .withBean("clusterMetricsSecretSanitizer", SanitizingFunction.class, () -> sanitizer)
                .run(context -> {
                    assertThat(context).hasSingleBean(GossipStatistics.class).hasSingleBean(ClusterMetricsMeters.class);
                    assertThat(context.getBean(GossipStatistics.class)).isSameAs(statistics);
                    assertThat(context.getBean(ClusterMetricsMeters.class)).isSameAs(meters);
                    assertThat(context.getBean("clusterMetricsGossipServlet")).isSameAs(route);
                    assertThat(context.getBean("clusterMetricsHealthIndicator")).isSameAs(health);
                    assertThat(context).doesNotHaveBean(ClusterMetricsHealthIndicator.class);
                    assertThat(context.getBean("clusterMetricsSecretSanitizer")).isSameAs(sanitizer);
                });
    }

    @Test
    void actuatorPartsComeWithTheirLibrariesAndSwitches() {
        web.withPropertyValues("management.endpoints.web.exposure.include=clustermetrics")
                .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .run(context -> assertThat(context).hasSingleBean(ClusterMetricsEndpoint.class)
                        .hasSingleBean(ClusterMetricsHealthIndicator.class).hasSingleBean(ClusterMetricsMeters.class)
                        .hasBean("clusterMetricsObservationDescriptions"));
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
        static final ClusterMetricsEndpoint ENDPOINT = new ClusterMetricsEndpoint(METRICS, MetricsSelector.CPU, () -> null);

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
