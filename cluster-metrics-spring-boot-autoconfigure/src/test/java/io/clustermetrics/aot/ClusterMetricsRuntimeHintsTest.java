package io.clustermetrics.aot;

import static org.assertj.core.api.Assertions.assertThat;

import io.clustermetrics.MetricsPdu;
import io.clustermetrics.NodeMetrics;
import io.clustermetrics.actuate.ClusterMetricsEndpoint;
import io.clustermetrics.autoconfigure.ClusterMetricsGossipAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.context.annotation.ImportRuntimeHints;

/** The native-image hints: what Jackson binds by reflection is kept, and the auto-configuration registers them. */
class ClusterMetricsRuntimeHintsTest {

    private final RuntimeHints hints = new RuntimeHints();

    @Test
    void theWireRecordsAndTheEndpointsAnswersCanBeBoundByReflection() throws Exception {
        new ClusterMetricsRuntimeHints().registerHints(hints, getClass().getClassLoader());
        for (Class<?> type : new Class<?>[] {NodeMetrics.class, MetricsPdu.PushBatch.class, MetricsPdu.View.class,
                ClusterMetricsEndpoint.View.class, ClusterMetricsEndpoint.Node.class}) {
            assertThat(RuntimeHintsPredicates.reflection().onType(type)).as(type.getName()).accepts(hints);
            assertThat(RuntimeHintsPredicates.reflection().onConstructorInvocation(type.getDeclaredConstructors()[0]))
                    .as(type.getName() + "'s constructor").accepts(hints);
        }
        assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(NodeMetrics.class.getMethod("utilization")))
                .accepts(hints);
        assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(MetricsPdu.View.class.getMethod("metrics")))
                .accepts(hints);
    }

    @Test
    void theGossipAutoConfigurationImportsThem() {
        assertThat(ClusterMetricsGossipAutoConfiguration.class.getAnnotation(ImportRuntimeHints.class).value())
                .contains(ClusterMetricsRuntimeHints.class);
    }
}
