package io.clustermetrics.sample;

import io.clustermetrics.MetricsProbe;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;

/**
 * One node of the sample cluster: the starter does the gossip and the routing, {@link DemoController}
 * shows them at work, and {@code static/index.html} is the dashboard. Start three with
 * {@code ./run-cluster.sh}.
 */
@SpringBootApplication
public class SampleApplication {

    /**
     * Measures this JVM rather than the whole machine, so that three nodes on one computer each show their
     * own load. The starter's default probe (OSHI) measures the machine or container, which is right when
     * each node has a host of its own; {@code sample.process-probe=false} goes back to it.
     */
    @Bean
    @ConditionalOnBooleanProperty(name = "sample.process-probe", matchIfMissing = true)
    public MetricsProbe processProbe() {
        return new ProcessProbe();
    }

    /** Starts the node. */
    public static void main(String[] args) {
        SpringApplication.run(SampleApplication.class, args);
    }
}
