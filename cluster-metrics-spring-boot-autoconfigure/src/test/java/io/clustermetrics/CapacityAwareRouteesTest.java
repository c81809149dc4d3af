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
        // Capacities 1 × (1/2 + 1/2 × 0.5) = 0.75, 4 × 0.75 = 3 and 2 × 0.75 = 1.5: shares 1/7, 4/7 and 2/7.
        // (Three nodes: a 4:1 pair would be over the share cap, which the liar tests below pin.)
        node("a", 0.5, 1);
        node("b", 0.5, 4);
        node("c", 0.5, 2);
        assertThat(draw(List.of("a", "b", "c"), 20_000).get("b") / 20_000.0).isCloseTo(4 / 7.0, within(0.01));
    }

    @Test
    void aBusyNodeGetsDownToHalfTheDrawsOfAnIdleOneOfTheSameSize() {
        // capacities 2, 1 and 1: shares 1/2, 1/4, 1/4 (a pair at 2:1 would be over the share cap)
        node("a", 0.0, 2);
        node("b", 1.0, 2);
        node("c", 1.0, 2);
        Map<String, Long> counts = draw(List.of("a", "b", "c"), 20_000);
        assertThat(counts.get("a") / 20_000.0).isCloseTo(0.5, within(0.01));
        assertThat(counts.get("b") / 20_000.0).isCloseTo(0.25, within(0.01));
    }

    @Test
    void candidatesWithoutALiveSampleGetTheMedianAndWeightsStayWithinABandAroundIt() {
        List<String> candidates = new ArrayList<>(List.of("big", "unknown"));
        node("big", 0.0, 10_000);
        for (int i = 0; i < 20; i++) {
            node("small" + i, 0.0, 1);
            candidates.add("small" + i);
        }
        // The live median is 1 (the mean, 477, was the big node's to move): big is held to 10 × that, unknown gets it.
        double total = 10 + 1 + 20;
        Map<String, Long> counts = draw(List.copyOf(candidates), 50_000);
        assertThat(counts.get("big") / 50_000.0).isCloseTo(10 / total, within(0.01));
        assertThat(counts.get("unknown") / 50_000.0).isCloseTo(1 / total, within(0.005));
        assertThat(counts.get("small0") / 50_000.0).isCloseTo(1 / total, within(0.005));
    }

    @Test
    void oneNodeClaimingEveryProcessorGetsAtMostTheShareCapOfFirstDraws() {
        // Two honest nodes of 2 processors and a liar claiming 2^31 - 1, all idle: without calls the first draw
        // wins, so the picks are the first draws. Held around the mean, which the liar is part of, it took 94%.
        node("honest1", 0.0, 2);
        node("honest2", 0.0, 2);
        node("liar", 0.0, Integer.MAX_VALUE);
        Map<String, Long> counts = draw(List.of("honest1", "liar", "honest2"), 50_000);
        double liar = counts.get("liar") / 50_000.0;
        System.out.printf("first draws among 3, the liar claiming %d processors: %.3f%n", Integer.MAX_VALUE, liar);
        // held around the median (2) to 10 × 2 = 20 of 24, then to the share cap: 60%, the honest two 20% each
        assertThat(liar).isCloseTo(0.6, within(0.01));
        assertThat(counts.get("honest1") / 50_000.0).isCloseTo(0.2, within(0.01));
    }

    @Test
    void aMinorityOfLiarsCannotMoveTheMedianTheBandIsHeldAround() {
        // 3 honest nodes of 2 processors and 2 liars: the median stays 2, so each liar is held to 10 × 2 = 20.
        List<String> candidates = List.of("h1", "l1", "h2", "l2", "h3");
        candidates.forEach(c -> node(c, 0.0, c.startsWith("l") ? Integer.MAX_VALUE : 2));
        Map<String, Long> counts = draw(candidates, 50_000);
        assertThat((counts.get("l1") + counts.get("l2")) / 50_000.0).isCloseTo(40 / 46.0, within(0.01));
        // and a minority claiming tiny capacities cannot pull the median down: each is raised to a tenth of it
        List<String> small = List.of("H1", "s1", "H2", "s2", "H3");
        small.forEach(c -> node(c, 0.0, c.startsWith("s") ? 1 : 20));
        assertThat(draw(small, 50_000).get("s1") / 50_000.0).isCloseTo(2 / 64.0, within(0.005));
    }

    @Test
    void honestHeterogeneousSetsKeepTheirShares() {
        // capacities 1:2:4 (share 4/7) and 1:2:4:8 (8/15) are within the band and under the cap
        node("p1", 0.0, 1);
        node("p2", 0.0, 2);
        node("p4", 0.0, 4);
        node("p8", 0.0, 8);
        Map<String, Long> three = draw(List.of("p1", "p2", "p4"), 50_000);
        assertThat(three.get("p4") / 50_000.0).isCloseTo(4 / 7.0, within(0.01));
        assertThat(three.get("p1") / 50_000.0).isCloseTo(1 / 7.0, within(0.01));
        Map<String, Long> four = draw(List.of("p1", "p2", "p4", "p8"), 50_000);
        assertThat(four.get("p8") / 50_000.0).isCloseTo(8 / 15.0, within(0.01));
        assertThat(four.get("p1") / 50_000.0).isCloseTo(1 / 15.0, within(0.01));
    }

    @Test
    void anExpiredSampleCountsAsNoSample() {
        ClusterMetrics shortLived = new ClusterMetrics(Duration.ofMillis(50), 100);
        CapacityAwareRoutees r = new CapacityAwareRoutees(shortLived, MetricsSelector.CPU, nanos::get, Duration.ofSeconds(10));
        List<String> abc = List.of("a", "b", "c");
        shortLived.publish(new NodeMetrics("a", 1, 0.0, 1, 2, -1, 4));
        shortLived.publish(new NodeMetrics("b", 1, 0.0, 1, 2, -1, 1));
        shortLived.publish(new NodeMetrics("c", 1, 0.0, 1, 2, -1, 2));
        SplittableRandom random = new SplittableRandom(3);
        assertThat(IntStream.range(0, 10_000).filter(i -> r.pick(abc, random).orElseThrow().equals("a")).count() / 10_000.0)
                .isCloseTo(4 / 7.0, within(0.015));
        org.awaitility.Awaitility.await().until(() -> shortLived.get("a").isEmpty());
        shortLived.publish(new NodeMetrics("b", 2, 0.0, 1, 2, -1, 1));
        shortLived.publish(new NodeMetrics("c", 2, 0.0, 1, 2, -1, 2));
        // a has expired: it now weighs the lower median of the live ones, b's 1, so 1 of 1 + 1 + 2
        assertThat(IntStream.range(0, 10_000).filter(i -> r.pick(abc, random).orElseThrow().equals("a")).count() / 10_000.0)
                .isCloseTo(0.25, within(0.02));
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
