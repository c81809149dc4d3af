package io.clustermetrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class AdaptiveLoadBalancerTest {

    private final ClusterMetrics metrics = new ClusterMetrics();

    @Test
    void knownNodesBeatUnknownOnesAndTiesGoToTheSmallerAddress() {
        metrics.publish(new NodeMetrics("z", 1, 0.99, 1, 2));
        metrics.publish(new NodeMetrics("m", 1, 0.3, 1, 2));
        metrics.publish(new NodeMetrics("k", 1, 0.3, 1, 2));
        AdaptiveLoadBalancer lb = new AdaptiveLoadBalancer(metrics);
        assertThat(lb.pick(List.of("a", "z"))).contains("z");
        assertThat(lb.pick(List.of("z", "m", "a", "k"))).contains("k");
        assertThat(lb.pick(List.of("c", "b"))).contains("b");
    }

    @Test
    void followsTheChosenSelectorAndNewSamples() {
        metrics.publish(new NodeMetrics("cpu-idle", 1, 0.1, 9, 10));
        metrics.publish(new NodeMetrics("heap-free", 1, 0.9, 1, 10));
        List<String> candidates = List.of("cpu-idle", "heap-free");
        assertThat(new AdaptiveLoadBalancer(metrics).pick(candidates)).contains("cpu-idle");
        AdaptiveLoadBalancer byHeap = new AdaptiveLoadBalancer(metrics, MetricsSelector.HEAP);
        assertThat(byHeap.pick(candidates)).contains("heap-free");
        metrics.publish(new NodeMetrics("heap-free", 2, 0.9, 10, 10));
        assertThat(byHeap.pick(candidates)).contains("cpu-idle");
    }
}
