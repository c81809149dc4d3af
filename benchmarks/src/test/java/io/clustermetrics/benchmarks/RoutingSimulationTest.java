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

    @Test
    void printsOneRowPerRun() {
        String table = RoutingSimulation.markdown(RoutingSimulation.run(setups, 2));
        assertThat(table.lines().filter(l -> l.startsWith("| 70% |"))).hasSize(Strategy.values().length);
        assertThat(table).contains("| 70% | WeightedRoutees cpu |");
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
