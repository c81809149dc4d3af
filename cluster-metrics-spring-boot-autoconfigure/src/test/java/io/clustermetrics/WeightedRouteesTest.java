package io.clustermetrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class WeightedRouteesTest {

    private final ClusterMetrics metrics = new ClusterMetrics();
    private final WeightedRoutees routees = new WeightedRoutees(metrics, MetricsSelector.CPU);

    private void load(String address, long timestamp, double cpu) {
        metrics.publish(new NodeMetrics(address, timestamp, cpu, 1, 2));
    }

    private Map<String, Long> draw(List<String> candidates, int n) {
        SplittableRandom random = new SplittableRandom(42);
        return IntStream.range(0, n)
                .mapToObj(i -> routees.pick(candidates, random.nextDouble()).orElseThrow())
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    }

    @Test
    void drawsMatchTheWeightsByChiSquare() {
        load("a", 1, 0.1);
        load("b", 1, 0.5);
        load("c", 1, 0.9);
        // "d" has no sample: weight 0.5. Weights 0.9, 0.5, 0.1, 0.5 of 2.0.
        List<String> candidates = List.of("a", "b", "c", "d");
        double[] expected = {0.45, 0.25, 0.05, 0.25};
        int n = 100_000;
        Map<String, Long> counts = draw(candidates, n);
        double chiSquare = 0;
        for (int i = 0; i < 4; i++) {
            double e = expected[i] * n;
            double o = counts.getOrDefault(candidates.get(i), 0L);
            chiSquare += (o - e) * (o - e) / e;
        }
        assertThat(chiSquare).as("chi-square, 3 degrees of freedom, p=0.001 critical value 16.27").isLessThan(16.27);
    }

    @Test
    void zeroWeightCandidateIsNeverPicked() {
        load("busy", 1, 1.0);
        load("idle", 1, 0.0);
        assertThat(draw(List.of("busy", "idle"), 10_000)).containsOnlyKeys("idle");
        assertThat(routees.pick(List.of("busy", "idle"), 0.0)).contains("idle");
        assertThat(routees.pick(List.of("idle", "busy"), 1.0)).contains("idle");
    }

    @Test
    void withNoCapacityAnywhereTheRandomPickSpreadsUniformlyAndTheSeededOneKeepsTheSeedsFirst() {
        List<String> candidates = List.of("a", "b", "c", "d");
        candidates.forEach(c -> load(c, 1, 1.0));
        Map<String, Long> counts = IntStream.range(0, 40_000).mapToObj(i -> routees.pick(candidates).orElseThrow())
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        assertThat(counts).containsOnlyKeys(candidates);
        counts.values().forEach(n -> assertThat(n).isBetween(9_000L, 11_000L));
        assertThat(routees.pick(candidates, 0.9)).contains("a");
    }

    @Test
    void totalWeightSaysWhetherAnyCandidateHasCapacity() {
        load("a", 1, 1.0);
        load("b", 1, 0.75);
        assertThat(routees.totalWeight(List.of("a"))).isZero();
        assertThat(routees.totalWeight(List.of("a", "b"))).isEqualTo(0.25);
        assertThat(routees.totalWeight(List.of("a", "unknown"))).isEqualTo(WeightedRoutees.UNKNOWN_WEIGHT);
        assertThat(routees.totalWeight(List.of())).isZero();
    }

    @Test
    void seedsOutsideTheUnitIntervalAreClampedAndNanRefused() {
        load("a", 1, 0.5);
        load("b", 1, 0.5);
        assertThat(routees.pick(List.of("a", "b"), -3)).contains("a");
        assertThat(routees.pick(List.of("a", "b"), 7)).contains("b");
        assertThatIllegalArgumentException().isThrownBy(() -> routees.pick(List.of("a"), Double.NaN));
        assertThat(routees.pick(List.of())).isEmpty();
        assertThat(routees.pickIndex(List.of())).isEqualTo(-1);
        assertThat(routees.pickIndex(List.of("a"))).isZero();
    }

    @Test
    void neverServesAStaleWeightAfterANewerSample() {
        List<String> candidates = List.of("a", "b");
        load("a", 1, 0.0);
        load("b", 1, 1.0);
        assertThat(routees.pick(candidates, 0.99)).contains("a");
        load("a", 2, 1.0);
        load("b", 2, 0.0);
        assertThat(routees.pick(candidates, 0.01)).contains("b");
    }

    @Test
    void aMutableCandidateListIsComparedByContent() {
        load("a", 1, 0.0);
        load("b", 1, 0.0);
        List<String> candidates = new ArrayList<>(List.of("a"));
        assertThat(routees.pick(candidates, 0.9)).contains("a");
        candidates.add(0, "b");
        assertThat(routees.pick(candidates, 0.1)).contains("b");
    }

    @Test
    void anExpiredNodeGetsNoTrafficFromTheNextSweepUntilItsTombstoneIsGone() {
        AtomicLong now = new AtomicLong();
        ClusterMetrics store = new ClusterMetrics(Duration.ofSeconds(1), 10, () -> Instant.ofEpochMilli(now.get()));
        WeightedRoutees r = new WeightedRoutees(store, MetricsSelector.CPU);
        AdaptiveLoadBalancer lb = new AdaptiveLoadBalancer(store);
        store.publish(new NodeMetrics("a-dies", 1, 0.0, 1, 2));
        now.set(500);
        store.publish(new NodeMetrics("b-lives", 1, 0.5, 1, 2));
        List<String> candidates = List.of("a-dies", "b-lives", "c-unknown");
        assertThat(r.pick(candidates, 0.0)).contains("a-dies");
        assertThat(lb.pick(candidates)).contains("a-dies");
        assertThat(store.nextExpiry()).contains(Instant.ofEpochMilli(1_000));

        now.set(1_000);
        assertThat(store.evictExpired()).isZero();
        assertThat(store.nextExpiry()).contains(Instant.ofEpochMilli(1_500));
        // weights 0, 0.5 and the unknown node's 0.5: the expired node is never drawn
        assertThat(r.pick(candidates, 0.0)).contains("b-lives");
        assertThat(r.pick(candidates, 0.99)).contains("c-unknown");
        assertThat(lb.pick(candidates)).contains("b-lives");
        assertThat(lb.pick(List.of("a-dies", "c-unknown"))).contains("c-unknown");

        now.set(1_500);
        store.publish(new NodeMetrics("b-lives", 2, 0.5, 1, 2)); // a publish sweeps too
        now.set(3_000);
        assertThat(store.evictExpired()).as("a's tombstone is purged three ttls after its sample arrived").isEqualTo(1);
        assertThat(r.pick(candidates, 0.0)).as("forgotten, a is unknown again").contains("a-dies");
    }

    @Test
    void concurrentPublishAndPickAlwaysAnswerFromTheCandidates() {
        List<String> candidates = IntStream.range(0, 50).mapToObj(i -> "n" + i).toList();
        AtomicBoolean running = new AtomicBoolean(true);
        CompletableFuture<Void> publisher = CompletableFuture.runAsync(() -> {
            for (int t = 1; running.get() && t < 2_000_000; t++) {
                load("n" + (t % 50), t, (t % 11) / 10.0);
            }
        });
        try {
            for (int i = 0; i < 200_000; i++) {
                assertThat(candidates).contains(routees.pick(candidates).orElseThrow());
            }
        } finally {
            running.set(false);
            publisher.join();
        }
        load("n0", Long.MAX_VALUE, 0.0);
        candidates.stream().skip(1).forEach(c -> load(c, Long.MAX_VALUE, 1.0));
        assertThat(draw(candidates, 1_000)).containsOnlyKeys("n0");
    }

    @Test
    void aWarmPickAllocatesNothing() {
        List<String> immutable = List.copyOf(IntStream.range(0, 100).mapToObj(i -> "n" + i).toList());
        immutable.forEach(c -> load(c, 1, 0.5));
        assertThat(bytesAllocatedByPicks(immutable)).isLessThan(1_024);
        // a list of a type the cache cannot trust to be immutable is compared element by element
        assertThat(bytesAllocatedByPicks(new ArrayList<>(immutable))).isLessThan(1_024);
    }

    /**
     * What 100,000 picks of each kind allocate once warm (a pick and an index from this router and from a
     * capacity-aware one, and the balancer's pick); one Optional a pick would be 3.2 MB.
     */
    private long bytesAllocatedByPicks(List<String> candidates) {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        AdaptiveLoadBalancer balancer = new AdaptiveLoadBalancer(metrics);
        CapacityAwareRoutees capacityAware = new CapacityAwareRoutees(metrics, MetricsSelector.CPU);
        long sink = 0;
        for (int i = 0; i < 20_000; i++) {
            sink += picks(candidates, balancer, capacityAware);
        }
        long tid = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(tid);
        for (int i = 0; i < 100_000; i++) {
            sink += picks(candidates, balancer, capacityAware);
        }
        long allocated = threads.getThreadAllocatedBytes(tid) - before;
        assertThat(sink).isNotZero();
        return allocated;
    }

    private long picks(List<String> candidates, AdaptiveLoadBalancer balancer, CapacityAwareRoutees capacityAware) {
        return routees.pick(candidates).hashCode() + routees.pickIndex(candidates) + balancer.pick(candidates).hashCode()
                + capacityAware.pick(candidates).hashCode() + capacityAware.pickIndex(candidates);
    }

    @Test
    void routeesAndBalancerReportTheirSelector() {
        assertThat(routees.selector()).isEqualTo(MetricsSelector.CPU);
        assertThat(new AdaptiveLoadBalancer(metrics).selector()).isEqualTo(MetricsSelector.CPU);
        assertThat(new AdaptiveLoadBalancer(metrics, MetricsSelector.HEAP).selector()).isEqualTo(MetricsSelector.HEAP);
    }
}
