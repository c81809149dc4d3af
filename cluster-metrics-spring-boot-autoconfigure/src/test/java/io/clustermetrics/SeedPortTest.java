package io.clustermetrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The seed crate's tests, one for one, in the seed's order and under its names. */
class SeedPortTest {

    private static NodeMetrics node(String address, double cpuLoad, long used, long max) {
        return new NodeMetrics(address, 0, cpuLoad, used, max);
    }

    @Test
    void publishAndFetch() {
        ClusterMetrics m = new ClusterMetrics();
        m.publish(new NodeMetrics("a", 1, 0.5, 100, 1000));
        assertThat(m.snapshot()).hasSize(1);
        assertThat(m.get("a")).map(NodeMetrics::cpuLoad).contains(0.5);
    }

    @Test
    void memoryUsageRatio() {
        assertThat(node("a", 0.0, 250, 1000).memoryUsage()).isEqualTo(0.25);
    }

    @Test
    void memoryUsageHandlesZeroMax() {
        assertThat(node("a", 0.0, 0, 0).memoryUsage()).isEqualTo(0.0);
    }

    @Test
    void staticProbeReturnsConfiguredValues() {
        NodeMetrics m = new StaticProbe(0.7, 5, 10).sample("nodeA", 42);
        assertThat(m.address()).isEqualTo("nodeA");
        assertThat(m.timestamp()).isEqualTo(42);
        assertThat(m.cpuLoad()).isEqualTo(0.7);
        assertThat(m.memoryUsed()).isEqualTo(5);
    }

    @Test
    void adaptivePicksLowestLoad() {
        ClusterMetrics m = new ClusterMetrics();
        m.publish(node("a", 0.9, 0, 1));
        m.publish(node("b", 0.1, 0, 1));
        m.publish(node("c", 0.5, 0, 1));
        assertThat(new AdaptiveLoadBalancer(m).pick(List.of("a", "b", "c"))).contains("b");
    }

    @Test
    void adaptiveFallsBackToAddressOrderWhenNoMetrics() {
        AdaptiveLoadBalancer lb = new AdaptiveLoadBalancer(new ClusterMetrics());
        assertThat(lb.pick(List.of("c", "a", "b"))).contains("a");
    }

    @Test
    void adaptiveReturnsNoneForEmptyCandidates() {
        assertThat(new AdaptiveLoadBalancer(new ClusterMetrics()).pick(List.of())).isEmpty();
    }

    @Test
    void ewmaInitialValueUnchangedUntilUpdate() {
        assertThat(new Ewma(0.5, 0.3).value()).isEqualTo(0.5);
    }

    @Test
    void ewmaConvergesToSteadySignal() {
        Ewma e = new Ewma(0.0, 0.5);
        for (int i = 0; i < 30; i++) {
            e.update(1.0);
        }
        assertThat(e.value()).isGreaterThan(0.99);
    }

    @Test
    void ewmaRejectsInvalidAlpha() {
        assertThatIllegalArgumentException().isThrownBy(() -> new Ewma(0.0, 0.0));
    }

    @Test
    void ewmaFromHalfLifeYields50pctWeightAfterHalfLife() {
        Ewma e = Ewma.fromHalfLife(0.0, 4.0);
        for (int i = 0; i < 4; i++) {
            e.update(1.0);
        }
        assertThat(e.value()).isGreaterThanOrEqualTo(0.5);
    }

    @Test
    void cpuSelectorPrefersLowerLoad() {
        assertThat(MetricsSelector.CPU.weight(node("a", 0.2, 0, 1)))
                .isGreaterThan(MetricsSelector.CPU.weight(node("b", 0.9, 0, 1)));
    }

    @Test
    void mixSelectorAveragesCpuAndHeap() {
        // cpu weight 1.0, heap weight 0.5 -> mix 0.75
        assertThat(MetricsSelector.MIX.weight(node("a", 0.0, 100, 200))).isCloseTo(0.75, within(1e-6));
    }

    @Test
    void weightedRouteesPicksHigherWeightNodeMoreOften() {
        ClusterMetrics m = new ClusterMetrics();
        m.publish(node("fast", 0.1, 0, 1));
        m.publish(node("slow", 0.9, 0, 1));
        WeightedRoutees r = new WeightedRoutees(m, MetricsSelector.CPU);
        List<String> cands = List.of("fast", "slow");
        int fast = 0;
        for (int i = 0; i < 100; i++) {
            if (r.pick(cands, i / 100.0).equals(Optional.of("fast"))) {
                fast++;
            }
        }
        assertThat(fast).isGreaterThan(60);
    }

    @Test
    void weightedRouteesReturnsFirstWhenAllZero() {
        ClusterMetrics m = new ClusterMetrics();
        m.publish(node("a", 1.0, 1, 1));
        m.publish(node("b", 1.0, 1, 1));
        assertThat(new WeightedRoutees(m, MetricsSelector.MIX).pick(List.of("a", "b"), 0.5)).contains("a");
    }

    @Test
    void gossipPushesLocalSampleToTarget() {
        List<Object[]> sent = new ArrayList<>();
        MetricsTransport net = (target, pdu) -> sent.add(new Object[] {target, pdu});
        MetricsGossip.gossipLocalMetrics(new StaticProbe(0.3, 1, 4), "self", "peer", net, 1);
        assertThat(sent).hasSize(1);
        assertThat(sent.get(0)[0]).isEqualTo("peer");
        assertThat(sent.get(0)[1]).isInstanceOfSatisfying(
                MetricsPdu.Push.class, push -> assertThat(push.metrics().address()).isEqualTo("self"));
    }

    @Test
    void applyPduMergesIntoMetrics() {
        ClusterMetrics m = new ClusterMetrics();
        MetricsGossip.apply(m, new MetricsPdu.Push(new NodeMetrics("x", 7, 0.1, 1, 2)));
        assertThat(m.nodeCount()).isEqualTo(1);
        assertThat(m.get("x")).map(NodeMetrics::timestamp).contains(7L);
    }

    @Test
    void adaptiveBalancerCanBeUsedAsPickerClosure() {
        ClusterMetrics m = new ClusterMetrics();
        m.publish(node("akka.tcp://Sys@a:1", 0.9, 0, 1));
        m.publish(node("akka.tcp://Sys@b:1", 0.1, 0, 1));
        AdaptiveLoadBalancer lb = new AdaptiveLoadBalancer(m);
        Function<List<String>, Optional<String>> picker = lb::pick;
        assertThat(picker.apply(List.of("akka.tcp://Sys@a:1", "akka.tcp://Sys@b:1"))).contains("akka.tcp://Sys@b:1");
    }

    @Test
    void batchPduMergesEach() {
        ClusterMetrics m = new ClusterMetrics();
        MetricsGossip.apply(m, new MetricsPdu.PushBatch(List.of(
                new NodeMetrics("a", 1, 0.0, 0, 0), new NodeMetrics("b", 2, 0.0, 0, 0))));
        assertThat(m.nodeCount()).isEqualTo(2);
    }
}
