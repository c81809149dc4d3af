package io.clustermetrics.benchmarks.startup;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.metrics.buffering.BufferingApplicationStartup;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The smallest Spring Boot webmvc app: one controller, nothing else of its own. startup.sh compiles it
 * against the sample app's jars and starts it with the starter on and off, to isolate the starter's cost
 * (the sample app itself cannot start without the starter: its WorkService needs the starter's beans).
 */
@SpringBootApplication
@RestController
public class PlainApp {

    /** A trivial endpoint, so that the app has a controller of its own. */
    @GetMapping("/hello")
    public String hello() {
        return "hello";
    }

    /**
     * Starts the app; with {@code -Dplain.startup-steps=true} it records Spring's startup steps, which
     * {@code /actuator/startup} then lists (expose it with {@code management.endpoints.web.exposure.include}).
     */
    public static void main(String[] args) {
        SpringApplication app = new SpringApplication(PlainApp.class);
        if (Boolean.getBoolean("plain.startup-steps")) {
            app.setApplicationStartup(new BufferingApplicationStartup(20_000));
        }
        app.run(args);
    }
}
