package io.clustermetrics.sample.gateway;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The sample cluster's Spring Cloud Gateway: {@code application.yml} routes {@code /work/**} to
 * {@code lb://sample-app}, and with {@code cluster.metrics.loadbalancer.enabled=true} the starter weighs that
 * route by the nodes' spare CPU, which it pulls from them every gossip interval without joining their gossip.
 * No code of its own: configuration is all a gateway needs. {@code ./run-cluster.sh} starts it on port 8080, in
 * front of the three nodes.
 */
@SpringBootApplication
public class GatewayApplication {

    /** Starts the gateway. */
    public static void main(String[] args) {
        SpringApplication.run(GatewayApplication.class, args);
    }
}
