package com.example.app;

import io.clustermetrics.ClusterMetrics;
import io.clustermetrics.MetricsProbe;
import io.clustermetrics.NodeMetrics;
import io.clustermetrics.gossip.ClusterMetricsGossip;
import io.clustermetrics.autoconfigure.ClusterMetricsProperties;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.cloud.client.loadbalancer.LoadBalanced;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;

/** A plain app using the auto-configuration, as a user's would: several of them make a test cluster. */
@SpringBootApplication
@RestController
public class TestNodeApplication {

    private final ObjectProvider<ClusterMetricsGossip> gossip;
    private final ObjectProvider<java.util.concurrent.ExecutorService> workPool;

    TestNodeApplication(ObjectProvider<ClusterMetricsGossip> gossip,
            ObjectProvider<java.util.concurrent.ExecutorService> workPool) {
        this.gossip = gossip;
        this.workPool = workPool;
    }

    /** Answers with this node's address: the call the load-balancing test counts. */
    @GetMapping("/whoami")
    public String whoami() {
        return gossip.getObject().selfAddress();
    }

    /**
     * Work that takes {@code test.work-delay-ms} (0 by default), or fails with 500 when asked to: what the
     * capacity-aware routing test calls.
     */
    @GetMapping("/work")
    public org.springframework.http.ResponseEntity<String> work(@Value("${test.work-delay-ms:0}") long delayMillis,
            @org.springframework.web.bind.annotation.RequestParam(defaultValue = "false") boolean fail)
            throws Exception {
        java.util.concurrent.ExecutorService pool = workPool.getIfAvailable();
        if (pool == null) {
            Thread.sleep(delayMillis);
        } else {
            pool.submit(() -> {
                Thread.sleep(delayMillis);
                return null;
            }).get();
        }
        return fail ? org.springframework.http.ResponseEntity.internalServerError().body("failed")
                : org.springframework.http.ResponseEntity.ok(gossip.getObject().selfAddress());
    }

    /** A client routed by Spring Cloud LoadBalancer, and so by cluster metrics when that is switched on. */
    @Bean
    @LoadBalanced
    RestClient.Builder loadBalancedRestClientBuilder() {
        return RestClient.builder();
    }

    /** The same, as a RestTemplate. */
    @Bean
    @LoadBalanced
    org.springframework.web.client.RestTemplate loadBalancedRestTemplate() {
        return new org.springframework.web.client.RestTemplate();
    }

    /** The plain client for everything else (Eureka's own calls among them), as an app with both declares it. */
    @Bean
    @Primary
    RestClient.Builder restClientBuilder() {
        return RestClient.builder();
    }

    /** A probe whose CPU load a test can turn, when {@code test.tunable-cpu} is set; it replaces the starter's. */
    @Bean
    @ConditionalOnProperty("test.tunable-cpu")
    TunableProbe tunableProbe(@Value("${test.tunable-cpu}") double cpuLoad) {
        return new TunableProbe(cpuLoad);
    }

    /**
     * With {@code test.work-pool} set, {@code /work} runs on a pool of that many threads, metered by Micrometer as
     * {@code executor.*{name=work}}: the pool whose utilization a node can report.
     */
    @Bean(destroyMethod = "shutdownNow")
    @ConditionalOnProperty("test.work-pool")
    java.util.concurrent.ExecutorService workPool(@Value("${test.work-pool}") int threads,
            io.micrometer.core.instrument.MeterRegistry registry) {
        return io.micrometer.core.instrument.binder.jvm.ExecutorServiceMetrics.monitor(registry,
                java.util.concurrent.Executors.newFixedThreadPool(threads), "work");
    }

    /** An application utilization of {@code test.utilization}, whatever it is (NaN, say), when set. */
    @Bean
    @ConditionalOnProperty("test.utilization")
    io.clustermetrics.ApplicationUtilization testUtilization(@Value("${test.utilization}") double utilization) {
        return () -> utilization;
    }

    /** A store on a clock {@code test.clock-offset} away from the system clock: a node with a wrong clock. */
    @Bean
    @ConditionalOnProperty("test.clock-offset")
    ClusterMetrics skewedClusterMetrics(ClusterMetricsProperties properties, @Value("${test.clock-offset}") Duration offset) {
        return new ClusterMetrics(properties.ttl(), properties.maxNodes(), InstantSource.offset(InstantSource.system(), offset));
    }

    /**
     * With {@code test.blocking-filter} set, a servlet filter on the gossip path that is not async-supported, as an
     * app's own filter may be: the gossip servlet cannot go async behind it.
     */
    @Bean
    @ConditionalOnProperty("test.blocking-filter")
    org.springframework.boot.web.servlet.FilterRegistrationBean<jakarta.servlet.Filter> blockingFilter() {
        org.springframework.boot.web.servlet.FilterRegistrationBean<jakarta.servlet.Filter> registration =
                new org.springframework.boot.web.servlet.FilterRegistrationBean<>(
                        (jakarta.servlet.Filter) (request, response, chain) -> chain.doFilter(request, response));
        registration.addUrlPatterns("/cluster-metrics/gossip");
        registration.setAsyncSupported(false);
        return registration;
    }

    /** A probe reporting a CPU load the test sets. */
    public static final class TunableProbe implements MetricsProbe {

        private volatile double cpuLoad;

        TunableProbe(double cpuLoad) {
            this.cpuLoad = cpuLoad;
        }

        /** Sets the CPU load the next samples report. */
        public void setCpuLoad(double cpuLoad) {
            this.cpuLoad = cpuLoad;
        }

        @Override
        public NodeMetrics sample(String address, long timestamp) {
            return new NodeMetrics(address, timestamp, cpuLoad, 1, 2);
        }
    }

    /** Fast timings for tests: a gossip round every 200 ms, a node gone after 2 s without news. */
    public static final List<String> FAST = List.of(
            "server.port=0",
            "server.address=127.0.0.1",
            "spring.jmx.enabled=false",
            "cluster.metrics.sample-interval=200ms",
            "cluster.metrics.moving-average-half-life=400ms",
            "cluster.metrics.gossip.interval=200ms",
            "cluster.metrics.gossip.connect-timeout=300ms",
            "cluster.metrics.gossip.read-timeout=500ms",
            "cluster.metrics.ttl=2s",
            "management.endpoints.web.exposure.include=clustermetrics,health,prometheus",
            "management.endpoint.health.show-details=always",
            "eureka.client.enabled=false");

    /** Starts a node with the fast timings and {@code properties} ("key=value") on top. */
    public static ConfigurableApplicationContext start(String... properties) {
        List<String> all = new ArrayList<>(FAST);
        all.addAll(List.of(properties));
        return new SpringApplicationBuilder(TestNodeApplication.class).properties(all.toArray(String[]::new)).run();
    }

    /** A loopback port free now, for a node that must know its port before it starts. */
    public static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** The base URL a started node gives itself. */
    public static String address(ConfigurableApplicationContext node) {
        return "http://127.0.0.1:" + node.getEnvironment().getProperty("local.server.port");
    }

    /** Runs one node by hand. */
    public static void main(String[] args) {
        SpringApplication.run(TestNodeApplication.class, args);
    }
}
