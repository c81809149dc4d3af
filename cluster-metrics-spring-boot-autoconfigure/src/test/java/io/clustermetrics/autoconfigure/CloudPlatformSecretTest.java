package io.clustermetrics.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.example.app.TestNodeApplication;
import io.clustermetrics.wire.GossipReceiver;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.runner.AbstractApplicationContextRunner;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * Issue 20, point 2: on a detected cloud platform (Kubernetes, say), where loopback may be a sidecar's and Boot
 * honours forwarding headers, a node serving the gossip endpoint needs a secret, unless the user opts out.
 */
@ExtendWith(OutputCaptureExtension.class)
class CloudPlatformSecretTest {

    private static final AutoConfigurations CONFIGURATIONS =
            AutoConfigurations.of(ClusterMetricsAutoConfiguration.class, ClusterMetricsGossipAutoConfiguration.class);

    private static final List<AbstractApplicationContextRunner<?, ?, ?>> WEB = List.of(
            new WebApplicationContextRunner().withConfiguration(CONFIGURATIONS),
            new ReactiveWebApplicationContextRunner().withConfiguration(CONFIGURATIONS));

    @Test
    void aNodeServingGossipOnACloudPlatformNeedsASecret() {
        WEB.forEach(runner -> runner.withPropertyValues("spring.main.cloud-platform=kubernetes").run(context -> assertThat(context)
                .hasFailed().getFailure().rootCause().isInstanceOfSatisfying(InvalidConfigurationPropertyValueException.class,
                        invalid -> {
                            assertThat(invalid.getName()).isEqualTo("cluster.metrics.gossip.secret");
                            assertThat(invalid.getReason()).contains("allow-unauthenticated-on-cloud-platform");
                        })));
    }

    @Test
    void aSecretOrTheOptOutOrNoCloudPlatformStarts() {
        WEB.forEach(runner -> {
            runner.withPropertyValues("spring.main.cloud-platform=kubernetes", "cluster.metrics.gossip.secret=s")
                    .run(context -> assertThat(context).hasNotFailed().hasSingleBean(GossipReceiver.class));
            runner.withPropertyValues("spring.main.cloud-platform=kubernetes",
                    "cluster.metrics.gossip.allow-unauthenticated-on-cloud-platform=true")
                    .run(context -> assertThat(context).hasNotFailed().hasSingleBean(GossipReceiver.class));
            runner.run(context -> assertThat(context).hasNotFailed().hasSingleBean(GossipReceiver.class));
        });
        // an app that serves no gossip endpoint (no web server) only observes: nothing to protect
        new ApplicationContextRunner().withConfiguration(CONFIGURATIONS)
                .withPropertyValues("spring.main.cloud-platform=kubernetes").run(context -> assertThat(context).hasNotFailed());
    }

    @Test
    void bootReportsTheMissingSecretByName(CapturedOutput output) {
        assertThatThrownBy(() -> TestNodeApplication.start("spring.main.cloud-platform=kubernetes")).isNotNull();
        assertThat(output).contains("cluster.metrics.gossip.secret", "KUBERNETES",
                "cluster.metrics.gossip.allow-unauthenticated-on-cloud-platform");
    }
}
