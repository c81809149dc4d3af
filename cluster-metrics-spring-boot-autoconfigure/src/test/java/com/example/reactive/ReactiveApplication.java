package com.example.reactive;

import io.clustermetrics.gossip.ClusterMetricsGossip;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.cloud.client.loadbalancer.LoadBalanced;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/** A WebFlux app using the auto-configuration, as a user's would: a node of a reactive service, or a client of others. */
@SpringBootApplication
public class ReactiveApplication {

    /** {@code /whoami} answers with this node's address, as the servlet test nodes do. */
    @Bean
    RouterFunction<ServerResponse> whoami(ObjectProvider<ClusterMetricsGossip> gossip) {
        return RouterFunctions.route().GET("/whoami", request -> ServerResponse.ok()
                .bodyValue(gossip.getObject().selfAddress())).build();
    }

    /** A client routed by Spring Cloud LoadBalancer, and so by cluster metrics when that is switched on. */
    @Bean
    @LoadBalanced
    WebClient.Builder loadBalancedWebClientBuilder() {
        return WebClient.builder();
    }

    /** For Eureka's own calls. */
    @Bean
    @Primary
    RestClient.Builder restClientBuilder() {
        return RestClient.builder();
    }

    /** Starts a reactive app with {@code properties} ("key=value") on the test nodes' fast timings. */
    public static ConfigurableApplicationContext start(String... properties) {
        List<String> all = new ArrayList<>(com.example.app.TestNodeApplication.FAST);
        all.add("spring.main.web-application-type=reactive");
        all.addAll(List.of(properties));
        return new SpringApplicationBuilder(ReactiveApplication.class).properties(all.toArray(String[]::new)).run();
    }
}
