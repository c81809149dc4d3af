package io.clustermetrics.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Runs the routing simulation at a tiny size, so that it cannot rot, and checks what it must show. */
class RoutingSimulationTest {

    private static List<RoutingRun.Setup> setups;
    private static Map<Strategy, RoutingRun.Result> results;

    @BeforeAll
    static void runTinySimulation() {
        setups = RoutingSimulation.setups(new int[] {3}, new double[] {0.7}, 4, 20, 30, 7).stream()
                .filter(s -> s.scenario() == Scenario.HETEROGENEOUS)
                .toList();
        results = RoutingSimulation.run(setups, 2).stream()
                .collect(Collectors.toMap(r -> r.setup().strategy(), Function.identity()));
    }

    @Test
    void everyStrategyServesTheSameRequestsAndAllOfThem() {
        assertThat(results).hasSize(Strategy.values().length);
        long arrivals = results.get(Strategy.ROUND_ROBIN).arrivals();
        assertThat(arrivals).isGreaterThan(10_000);
        assertThat(results.values()).allSatisfy(r -> {
            assertThat(r.arrivals()).isEqualTo(arrivals);
            assertThat(r.served()).isEqualTo(arrivals);
            assertThat(r.p50()).isPositive().isLessThanOrEqualTo(r.p99());
            assertThat(r.p99()).isLessThanOrEqualTo(r.p999());
            assertThat(r.maxShare()).isBetween(0.0, 1.0);
        });
    }

    @Test
    void roundRobinOverloadsTheSmallBackendWhileLoadAwareStrategiesKeepUp() {
        // At 70% of 1:2:4 capacities, a third of the traffic is 163% of the small backend's capacity.
        assertThat(results.get(Strategy.ROUND_ROBIN).maxUtilisation()).isGreaterThan(0.99);
        assertThat(results.get(Strategy.ROUND_ROBIN).throughput()).isLessThan(0.95 * results.get(Strategy.ROUND_ROBIN).offered());
        for (Strategy s : List.of(Strategy.WEIGHTED_CPU, Strategy.POWER_OF_TWO, Strategy.HYBRID_WEIGHTED_POWER_OF_TWO)) {
            RoutingRun.Result r = results.get(s);
            assertThat(r.throughput()).as(s.label()).isCloseTo(r.offered(), within(0.1 * r.offered()));
            assertThat(r.p99()).as(s.label()).isLessThan(results.get(Strategy.ROUND_ROBIN).p99() / 2);
        }
    }

    @Test
    void theArgminHerdsWhereWeightedRandomSpreads() {
        assertThat(results.get(Strategy.SEED_ARGMIN).maxShare()).isGreaterThan(0.9);
        assertThat(results.get(Strategy.WEIGHTED_CPU).maxShareOverFair()).isLessThan(2.0);
    }

    @Test
    void sameSeedSameResults() {
        RoutingRun.Setup setup = results.get(Strategy.HYBRID_WEIGHT_OVER_IN_FLIGHT).setup();
        assertThat(new RoutingRun(setup).run()).isEqualTo(results.get(Strategy.HYBRID_WEIGHT_OVER_IN_FLIGHT));
        RoutingRun.Setup sclb = results.get(Strategy.SPRING_CLOUD_ROUND_ROBIN).setup();
        assertThat(new RoutingRun(sclb).run()).isEqualTo(results.get(Strategy.SPRING_CLOUD_ROUND_ROBIN));
    }

    /**
     * The default router against every other strategy on the same small seeded runs (3 backends, 10 clients,
     * 60 s measured): what the full tables in BENCHMARKS.md show, so that a change that loses it fails the build.
     * Bounds are the small run's figures with a margin; where the default does not win (a GC pause, bursts),
     * it must still beat the peers it beats there.
     */
    @Test
    void theDefaultRouterKeepsItsOrderingsAgainstThePeers() {
        List<RoutingRun.Result> runs = RoutingSimulation.run(RoutingSimulation.setups(new int[] {3}, new double[] {0.7, 0.9},
                10, 20, 60, 7).stream().filter(s -> s.scenario() != Scenario.MANY_CLIENTS).toList(), 2);
        Map<String, Map<Strategy, RoutingRun.Result>> byRow = runs.stream().collect(Collectors.groupingBy(
                r -> r.setup().scenario() + " " + r.setup().load(), Collectors.toMap(r -> r.setup().strategy(), Function.identity())));
        java.util.function.BiFunction<Scenario, Double, Map<Strategy, RoutingRun.Result>> row =
                (scenario, load) -> byRow.get(scenario + " " + load);
        for (Scenario scenario : List.of(Scenario.HETEROGENEOUS, Scenario.HETEROGENEOUS_SLOWDOWN, Scenario.SLOWDOWN)) {
            for (double load : List.of(0.7, 0.9)) {
                Map<Strategy, RoutingRun.Result> r = row.apply(scenario, load);
                RoutingRun.Result ours = r.get(Strategy.CAPACITY_AWARE);
                double best = bestOther(r);
                assertThat(ours.p99()).as("%s at %s: default against the best other", scenario, load)
                        .isLessThanOrEqualTo(1.05 * best);
                assertThat(ours.maxShareOverFair()).as("%s at %s: no herd", scenario, load).isLessThanOrEqualTo(1.5);
                assertThat(ours.throughput()).isCloseTo(ours.offered(), within(0.05 * ours.offered()));
            }
        }
        Map<Strategy, RoutingRun.Result> heterogeneous90 = row.apply(Scenario.HETEROGENEOUS, 0.9);
        assertThat(heterogeneous90.get(Strategy.CAPACITY_AWARE).p99()).as("1:2:4 at 90%: against the best")
                .isLessThanOrEqualTo(0.9 * bestOther(heterogeneous90));
        for (String key : List.of("GC_PAUSE 0.7", "GC_PAUSE 0.9", "BURSTY 0.7", "BURSTY 0.9")) {
            Map<Strategy, RoutingRun.Result> r = byRow.get(key);
            assertThat(r.get(Strategy.CAPACITY_AWARE).p99()).as("%s: default against Envoy and weighted", key)
                    .isLessThan(r.get(Strategy.ENVOY_LEAST_REQUEST).p99())
                    .isLessThan(r.get(Strategy.WEIGHTED_CPU).p99());
            if (!key.equals("BURSTY 0.9")) {
                // bursts at 180% of capacity: gRPC's stride scheduler and Finagle are ahead there (BENCHMARKS.md)
                assertThat(r.get(Strategy.CAPACITY_AWARE).p99()).as("%s: default against gRPC", key)
                        .isLessThan(r.get(Strategy.GRPC_WRR_ORCA).p99());
            }
        }
        Map<Strategy, RoutingRun.Result> gc70 = row.apply(Scenario.GC_PAUSE, 0.7);
        assertThat(gc70.get(Strategy.CAPACITY_AWARE).p99()).as("a GC pause at 70%: against Finagle")
                .isLessThan(gc70.get(Strategy.FINAGLE_P2C_PEAK_EWMA).p99());
    }

    private static double bestOther(Map<Strategy, RoutingRun.Result> row) {
        return row.values().stream().filter(r -> r.setup().strategy() != Strategy.CAPACITY_AWARE)
                .mapToDouble(RoutingRun.Result::p99).min().orElseThrow();
    }

    @Test
    void theDefaultIsNamedSoInTheTables() {
        assertThat(Strategy.values()).filteredOn(s -> s.label().contains("default")).containsExactly(Strategy.CAPACITY_AWARE);
    }

    @Test
    void aPausingBackendStopsForTwoSecondsEveryThirtyAndBurstyArrivalsComeAndGo() {
        Backend b = new Backend(1, Double.POSITIVE_INFINITY, true);
        // the first pause is [10, 12): 100 units from 9.5 do 50 by 10, wait, then 50 from 12
        assertThat(b.admit(9.5, 100)).isCloseTo(12.5, within(1e-9));
        assertThat(b.admit(20.0, 10)).isCloseTo(20.1, within(1e-9));
        assertThat(b.admit(40.5, 10)).isCloseTo(42.1, within(1e-9));
        assertThat(b.completedUntil(50)).isEqualTo(3);
    }

    @Test
    void printsOneRowPerRun() {
        String table = RoutingSimulation.markdown(RoutingSimulation.run(setups, 2));
        assertThat(table.lines().filter(l -> l.startsWith("| 70% |"))).hasSize(Strategy.values().length);
        assertThat(table).contains("| 70% | WeightedRoutees cpu (strategy weighted) |", "| 70% | capacity-aware (default) |");
    }

    @Test
    void aBackendServesInOrderAndSlowsDownMidRequest() {
        Backend b = new Backend(1, 1.0);
        assertThat(b.admit(0.0, 50)).isCloseTo(0.5, within(1e-9));
        // Starts at 0.9: 10 units by 1.0 at 100/s, then 40 units at 20/s.
        assertThat(b.admit(0.9, 50)).isCloseTo(3.0, within(1e-9));
        assertThat(b.admit(1.0, 20)).isCloseTo(4.0, within(1e-9));
        assertThat(b.inSystem(2.0)).isEqualTo(2);
        assertThat(b.busyUntil(2.0)).isCloseTo(0.5 + 1.1, within(1e-9));
        assertThat(b.busyUntil(5.0)).isCloseTo(0.5 + 3.1, within(1e-9));
        assertThat(b.inSystem(5.0)).isZero();
    }
}
