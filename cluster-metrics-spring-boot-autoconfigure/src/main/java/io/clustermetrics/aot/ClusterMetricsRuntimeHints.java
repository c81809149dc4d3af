package io.clustermetrics.aot;

import io.clustermetrics.MetricsPdu;
import io.clustermetrics.NodeMetrics;
import io.clustermetrics.actuate.ClusterMetricsEndpoint;
import org.springframework.aot.hint.BindingReflectionHintsRegistrar;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;

/**
 * What a native image needs to keep for cluster metrics: the records the gossip wire format and the
 * {@code clustermetrics} endpoint read and write with Jackson by reflection, registered as Spring registers the
 * types of its own bindings (constructors, accessors, and the types of their components).
 */
public class ClusterMetricsRuntimeHints implements RuntimeHintsRegistrar {

    @Override
    public void registerHints(RuntimeHints hints, ClassLoader classLoader) {
        new BindingReflectionHintsRegistrar().registerReflectionHints(hints.reflection(), NodeMetrics.class,
                MetricsPdu.Push.class, MetricsPdu.PushBatch.class, MetricsPdu.View.class);
        if (isPresent("org.springframework.boot.actuate.endpoint.annotation.Endpoint", classLoader)) {
            new BindingReflectionHintsRegistrar().registerReflectionHints(hints.reflection(),
                    ClusterMetricsEndpoint.View.class, ClusterMetricsEndpoint.Node.class);
        }
    }

    private static boolean isPresent(String className, ClassLoader classLoader) {
        return org.springframework.util.ClassUtils.isPresent(className, classLoader);
    }
}
