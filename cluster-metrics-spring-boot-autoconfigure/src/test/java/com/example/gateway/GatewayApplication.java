package com.example.gateway;

import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.web.client.RestClient;

/**
 * A Spring Cloud Gateway in front of a service, configured as a user would: a route {@code lb://<service>} on
 * {@code /<service>/**}, and {@code cluster.metrics.loadbalancer.enabled=true}. No code of its own.
 */
@SpringBootApplication
public class GatewayApplication {

    /** For Eureka's own calls. */
    @Bean
    @Primary
    RestClient.Builder restClientBuilder() {
        return RestClient.builder();
    }

    /** Starts a gateway routing {@code /<service>/**} to {@code lb://<service>}, with {@code properties} on top. */
    public static ConfigurableApplicationContext start(String service, String... properties) {
        List<String> all = new ArrayList<>(com.example.app.TestNodeApplication.FAST);
        all.addAll(List.of(
                "spring.main.web-application-type=reactive",
                "spring.application.name=gateway",
                "cluster.metrics.loadbalancer.enabled=true",
                "spring.cloud.gateway.server.webflux.routes[0].id=" + service,
                "spring.cloud.gateway.server.webflux.routes[0].uri=lb://" + service,
                "spring.cloud.gateway.server.webflux.routes[0].predicates[0]=Path=/" + service + "/**",
                "spring.cloud.gateway.server.webflux.routes[0].filters[0]=StripPrefix=1"));
        all.addAll(List.of(properties));
        // an argument, not a default: the tests' application.properties turns Gateway off for every other app
        return new SpringApplicationBuilder(GatewayApplication.class).properties(all.toArray(String[]::new))
                .run("--spring.cloud.gateway.server.webflux.enabled=true");
    }
}
