package io.clustermetrics.sample;

import io.clustermetrics.MetricsProbe;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ExecutorServiceMetrics;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import io.clustermetrics.autoconfigure.ClusterMetricsLoadBalancerConfiguration;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.restclient.autoconfigure.RestClientBuilderConfigurer;
import org.springframework.cloud.client.loadbalancer.LoadBalanced;
import org.springframework.cloud.loadbalancer.annotation.LoadBalancerClient;
import org.springframework.context.annotation.Bean;
import org.springframework.web.client.RestClient;

/**
 * One node of the sample cluster: the starter does the gossip and the routing, {@link DemoController}
 * shows them at work, and {@code static/index.html} is the dashboard. Start three with
 * {@code ./run-cluster.sh}. Calls to {@code http://sample-app/...} through the {@code @LoadBalanced}
 * {@link RestClient.Builder} go to the node Spring Cloud LoadBalancer picks by cluster metrics among
 * {@link PeerInstances}, the Spring Cloud way to use the starter.
 */
@SpringBootApplication
@LoadBalancerClient(name = PeerInstances.SERVICE,
        configuration = {ClusterMetricsLoadBalancerConfiguration.class, PeerInstances.class})
public class SampleApplication {

    /**
     * A client builder, configured as Boot configures its own, whose calls to {@code http://sample-app/...}
     * Spring Cloud LoadBalancer routes. Clone it before changing it: it is shared.
     */
    @Bean
    @LoadBalanced
    public RestClient.Builder loadBalancedRestClientBuilder(RestClientBuilderConfigurer boot) {
        return boot.configure(RestClient.builder());
    }

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

    /**
     * The pool {@code /work/local} runs on, one thread per processor, metered by Micrometer as
     * {@code executor.*{name=work}}: its busy share is the utilization the node reports
     * ({@code cluster.metrics.probe.utilization} in application.yml).
     */
    @Bean(destroyMethod = "shutdownNow")
    public ExecutorService workPool(MeterRegistry registry) {
        return ExecutorServiceMetrics.monitor(registry,
                Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors()), "work");
    }

    /** Starts the node. */
    public static void main(String[] args) {
        SpringApplication.run(SampleApplication.class, args);
    }
}
