package com.example.app;

import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** A plain app using the auto-configuration, as a user's would: several of them make a test cluster. */
@SpringBootApplication
public class TestNodeApplication {

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
            "management.endpoint.health.show-details=always");

    /** Starts a node with the fast timings and {@code properties} ("key=value") on top. */
    public static ConfigurableApplicationContext start(String... properties) {
        List<String> all = new ArrayList<>(FAST);
        all.addAll(List.of(properties));
        return new SpringApplicationBuilder(TestNodeApplication.class).properties(all.toArray(String[]::new)).run();
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
