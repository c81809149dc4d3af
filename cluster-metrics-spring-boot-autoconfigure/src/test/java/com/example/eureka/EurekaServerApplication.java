package com.example.eureka;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
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

    /** The URL clients register at. */
    public static String serviceUrl(ConfigurableApplicationContext server) {
        return "http://127.0.0.1:" + server.getEnvironment().getProperty("local.server.port") + "/eureka/";
    }
}
