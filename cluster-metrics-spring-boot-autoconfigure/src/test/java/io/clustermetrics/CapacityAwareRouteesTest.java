package io.clustermetrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class CapacityAwareRouteesTest {

    private static final long MS = 1_000_000;

    private final ClusterMetrics metrics = new ClusterMetrics();
    private final AtomicLong nanos = new AtomicLong(1_000 * MS);
    private final CapacityAwareRoutees routees =
            new CapacityAwareRoutees(metrics, MetricsSelector.CPU, nanos::get, Duration.ofSeconds(10));
    private final List<String> ab = List.of("a", "b");

    private void node(String address, double cpu, int processors) {
        metrics.publish(new NodeMetrics(address, System.currentTimeMillis(), cpu, 1, 2, -1, processors));
    }

    private Map<String, Long> draw(List<String> candidates, int n) {
        SplittableRandom random = new SplittableRandom(42);
        return IntStream.range(0, n)
                .mapToObj(i -> routees.pick(candidates, random).orElseThrow())
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    }

    /** A call to {@code address} that takes {@code millis}. */
    private void call(String address, long millis) {
        CapacityAwareRoutees.Load load = routees.load(address);
        long started = load.start();
        nanos.addAndGet(millis * MS);
        load.end(started, false);
    }

    @Test
    void withoutCallsTheFirstDrawWinsSoSharesFollowCapacity() {
        // Capacities 1 × (1/2 + 1/2 × 0.5) = 0.75 and 4 × 0.75 = 3: shares 0.2 and 0.8.
        node("a", 0.5, 1);
        node("b", 0.5, 4);
        assertThat(draw(ab, 20_000).get("b") / 20_000.0).isCloseTo(0.8, within(0.01));
    }

    @Test
    void aBusyNodeGetsDownToHalfTheDrawsOfAnIdleOneOfTheSameSize() {
        node("a", 0.0, 2);
        node("b", 1.0, 2);
        assertThat(draw(ab, 20_000).get("a") / 20_000.0).isCloseTo(2 / 3.0, within(0.01));
    }

    @Test
    void candidatesWithoutALiveSampleGetTheMeanAndWeightsStayWithinABandAroundIt() {
        List<String> candidates = new ArrayList<>(List.of("big", "unknown"));
        node("big", 0.0, 10_000);
        for (int i = 0; i < 20; i++) {
            node("small" + i, 0.0, 1);
            candidates.add("small" + i);
        }
        // The live mean is 10,020 / 21 = 477: big is held to 10 × that, each small raised to 0.1 ×, unknown gets it.
        double mean = 10_020 / 21.0;
        double total = 10 * mean + mean + 20 * 0.1 * mean;
        Map<String, Long> counts = draw(List.copyOf(candidates), 50_000);
        assertThat(counts.get("big") / 50_000.0).isCloseTo(10 * mean / total, within(0.01));
        assertThat(counts.get("unknown") / 50_000.0).isCloseTo(mean / total, within(0.01));
        assertThat(counts.get("small0") / 50_000.0).isCloseTo(0.1 * mean / total, within(0.003));
    }

    @Test
    void anExpiredSampleCountsAsNoSample() {
        ClusterMetrics shortLived = new ClusterMetrics(Duration.ofMillis(50), 100);
        CapacityAwareRoutees r = new CapacityAwareRoutees(shortLived, MetricsSelector.CPU, nanos::get, Duration.ofSeconds(10));
        shortLived.publish(new NodeMetrics("a", 1, 0.0, 1, 2, -1, 9));
        shortLived.publish(new NodeMetrics("b", 1, 0.0, 1, 2, -1, 1));
        SplittableRandom random = new SplittableRandom(3);
        assertThat(IntStream.range(0, 10_000).filter(i -> r.pick(ab, random).orElseThrow().equals("a")).count() / 10_000.0)
                .isCloseTo(0.9, within(0.01));
        org.awaitility.Awaitility.await().until(() -> shortLived.get("a").isEmpty());
        shortLived.publish(new NodeMetrics("b", 2, 0.0, 1, 2, -1, 1));
        // a has expired: it now weighs the mean of the live ones, b's 1, so the two are drawn first equally often
        assertThat(IntStream.range(0, 10_000).filter(i -> r.pick(ab, random).orElseThrow().equals("a")).count() / 10_000.0)
                .isCloseTo(0.5, within(0.02));
    }

    @Test
    void theCheaperOfTheTwoWinsWhateverTheDraw() {
        call("a", 10);
        call("b", 40);
        assertThat(draw(ab, 1_000)).containsOnlyKeys("a");
        for (int i = 0; i < 4; i++) {
            routees.load("a").start();
        }
        nanos.addAndGet(MS);
        // a: about 10 ms × (4 in flight + 1) against b's 40 ms × 1.
        assertThat(draw(ab, 1_000)).containsOnlyKeys("b");
    }

    @Test
    void aNodeThatStopsAnsweringLooksSlowBeforeAnyResponseSaysSo() {
        call("a", 10);
        call("b", 10);
        routees.load("a").start();
        nanos.addAndGet(30 * MS);
        assertThat(routees.load("a").latency(nanos.get())).isGreaterThanOrEqualTo(30 * MS);
        assertThat(draw(ab, 1_000)).containsOnlyKeys("b");
    }

    @Test
    void oneResponseAtMostDoublesTheEstimateAndASlowerNodeIsFollowedWithinAFewResponses() {
        call("a", 10);
        nanos.addAndGet(10_000 * MS);
        call("a", 2_000);
        double afterOne = routees.load("a").latency(nanos.get());
        assertThat(afterOne).isLessThanOrEqualTo(20.0 * MS);
        for (int i = 0; i < 5; i++) {
            nanos.addAndGet(1_000 * MS);
            call("a", 100);
        }
        assertThat(routees.load("a").latency(nanos.get())).isCloseTo(100.0 * MS, within(5.0 * MS));
    }

    @Test
    void aBacklogClearedInABurstCountsTheGapsBetweenItsResponses() {
        call("a", 10);
        nanos.addAndGet(1_000 * MS);
        CapacityAwareRoutees.Load a = routees.load("a");
        long[] starts = {a.start(), a.start(), a.start()};
        nanos.addAndGet(2_000 * MS);
        for (long s : starts) {
            a.end(s, false);
            nanos.addAndGet(MS);
        }
        assertThat(a.latency(nanos.get())).isLessThanOrEqualTo(20.0 * MS);
        assertThat(a.inFlight()).isZero();
    }

    @Test
    void theEstimateDecaysWithItsTimeConstantAndAFasterResponseDoesNotLowerItAtOnce() {
        call("a", 100);
        nanos.addAndGet(10_000 * MS);
        // 10 s later the peak has decayed by e^-1
        assertThat(routees.load("a").latency(nanos.get())).isCloseTo(100 * MS * Math.exp(-1.0), within(1.0 * MS));
        call("a", 10);
        assertThat(routees.load("a").latency(nanos.get())).isCloseTo(100 * MS * Math.exp(-1.001), within(1.0 * MS));
    }

    @Test
    void aFailureCountsTwiceTheEstimateSoFailingFastDoesNotLookFast() {
        call("a", 10);
        CapacityAwareRoutees.Load a = routees.load("a");
        long started = a.start();
        nanos.addAndGet(MS);
        a.end(started, true);
        assertThat(a.latency(nanos.get())).isCloseTo(20.0 * MS, within(0.5 * MS));
    }

    @Test
    void aNodeWithoutHistoryThatFailsFastLooksTwiceAsSlowAsTheTypicalResponse() {
        call("a", 10);
        call("a", 10);
        CapacityAwareRoutees.Load b = routees.load("b");
        long started = b.start();
        nanos.addAndGet(MS);
        b.end(started, true);
        assertThat(b.latency(nanos.get())).isCloseTo(20.0 * MS, within(0.5 * MS));
        assertThat(draw(ab, 1_000)).containsOnlyKeys("a");
    }

    @Test
    void releaseCountsTheEndWithoutObservingALatency() {
        call("a", 10);
        CapacityAwareRoutees.Load a = routees.load("a");
        long started = a.start();
        nanos.addAndGet(5_000 * MS);
        a.release(started);
        assertThat(a.inFlight()).isZero();
        assertThat(a.latency(nanos.get())).isLessThan(10.0 * MS);
    }

    @Test
    void aHandleStaysTheSameWhileItsCandidateIsPickedFromAndGoesWhenItLeavesIdle() {
        CapacityAwareRoutees.Load a = routees.load("a");
        routees.pick(ab);
        assertThat(routees.load("a")).isSameAs(a);
        node("c", 0.1, 1);
        routees.pick(List.of("b", "c"));
        assertThat(routees.load("a")).isNotSameAs(a);
    }

    @Test
    void oneCandidateNoneAndBadArguments() {
        assertThat(routees.pick(List.of())).isEmpty();
        assertThat(routees.pick(List.of("only"))).contains("only");
        assertThat(routees.pickIndex(List.of())).isEqualTo(-1);
        assertThat(routees.pickIndex(List.of("only"))).isZero();
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new CapacityAwareRoutees(metrics, MetricsSelector.CPU, nanos::get, Duration.ZERO));
    }

    @Test
    void countsNeverLeakUnderConcurrentPicksStartsEndsFailuresAndReleases() {
        CapacityAwareRoutees real = new CapacityAwareRoutees(metrics, MetricsSelector.CPU);
        List<String> candidates = List.of("a", "b", "c", "d");
        candidates.forEach(c -> node(c, 0.3, 2));
        List<CompletableFuture<Void>> workers = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            workers.add(CompletableFuture.runAsync(() -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                for (int i = 0; i < 20_000; i++) {
                    CapacityAwareRoutees.Load load = real.load(real.pick(candidates).orElseThrow());
                    long started = load.start();
                    switch (random.nextInt(3)) {
                        case 0 -> load.end(started, false);
                        case 1 -> load.end(started, true);
                        default -> load.release(started);
                    }
                }
            }));
        }
        CompletableFuture.allOf(workers.toArray(CompletableFuture[]::new)).join();
        assertThat(candidates).allSatisfy(c -> assertThat(real.load(c).inFlight()).as(c).isZero());
    }
}
