package com.example.eureka;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.cloud.netflix.eureka.server.EnableEurekaServer;
import org.springframework.context.ConfigurableApplicationContext;

/** A real Eureka server for tests, its caches tuned down so that registrations show within a second. */
@SpringBootApplication
@EnableEurekaServer
public class EurekaServerApplication {

    /** Starts the server on a free loopback port; it names itself as its only peer, so it replicates to nobody. */
    public static ConfigurableApplicationContext start() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        return new SpringApplicationBuilder(EurekaServerApplication.class).properties(
                "server.port=" + port,
                "eureka.client.service-url.defaultZone=http://127.0.0.1:" + port + "/eureka/",
                "server.address=127.0.0.1",
                "spring.application.name=eureka",
                "spring.jmx.enabled=false",
                "cluster.metrics.enabled=false",
                "eureka.client.register-with-eureka=false",
                "eureka.client.fetch-registry=false",
                "eureka.server.enable-self-preservation=false",
                "eureka.server.use-read-only-response-cache=false",
                "eureka.server.response-cache-update-interval-ms=200",
                "eureka.server.eviction-interval-timer-in-ms=1000")
                .run();
    }

    /**
     * What an app needs to register with {@code server} and see the others within about a second: Eureka's
     * client on, over RestClient, with its intervals tuned down.
     */
    public static List<String> clientProperties(ConfigurableApplicationContext server) {
        return List.of(
                "eureka.client.enabled=true",
                "eureka.client.jersey.enabled=false", // the server brings Jersey; clients use RestClient
                "eureka.client.service-url.defaultZone=" + serviceUrl(server),
                "eureka.client.registry-fetch-interval-seconds=1",
                "eureka.client.initial-instance-info-replication-interval-seconds=1",
                "eureka.client.instance-info-replication-interval-seconds=1",
                "eureka.instance.lease-renewal-interval-in-seconds=1",
                "eureka.instance.instance-id=${spring.application.name}:${random.uuid}");
    }

    /** The URL clients register at. */
    public static String serviceUrl(ConfigurableApplicationContext server) {
        return "http://127.0.0.1:" + server.getEnvironment().getProperty("local.server.port") + "/eureka/";
    }
}
