package io.clustermetrics.benchmarks;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Routing quality under load: every {@link Strategy} side by side on the same requests, for each
 * {@link Scenario}, cluster size and load, printed as Markdown tables (see {@link RoutingRun} for the
 * model). Deterministic: the same arguments print the same tables.
 *
 * <p>Run with {@code java -cp benchmarks/target/benchmarks.jar io.clustermetrics.benchmarks.RoutingSimulation},
 * optionally with {@code key=value} arguments: {@code sizes=3,10,100 loads=0.5,0.7,0.9 clients=10
 * warmup=60 measure=240 seed=1 threads=<processors>}, and {@code scenarios=} and {@code strategies=} with
 * comma-separated constant names to run only those.
 */
public final class RoutingSimulation {

    private RoutingSimulation() {}

    /** Runs every scenario, size, load and strategy and prints the tables. */
    public static void main(String[] arguments) {
        Args args = new Args(arguments);
        Set<Scenario> scenarios = args.constants("scenarios", Scenario.class);
        Set<Strategy> strategies = args.constants("strategies", Strategy.class);
        List<RoutingRun.Setup> setups = setups(args.integers("sizes", 3, 10, 100), args.decimals("loads", 0.5, 0.7, 0.9),
                args.integer("clients", 10), args.decimal("warmup", 60), args.decimal("measure", 240),
                args.longValue("seed", 1)).stream()
                .filter(s -> scenarios.contains(s.scenario()) && strategies.contains(s.strategy()))
                .toList();
        long started = System.nanoTime();
        List<RoutingRun.Result> results =
                run(setups, args.integer("threads", Runtime.getRuntime().availableProcessors()));
        System.out.print(markdown(results));
        System.out.printf(Locale.ROOT, "%n(%d runs in %.0f s of wall-clock time)%n", results.size(),
                (System.nanoTime() - started) / 1e9);
    }

    /** Every combination, scenario by scenario, size by size, load by load, strategy by strategy. */
    static List<RoutingRun.Setup> setups(int[] sizes, double[] loads, int clients, double warmup, double measure, long seed) {
        List<RoutingRun.Setup> setups = new ArrayList<>();
        for (Scenario scenario : Scenario.values()) {
            for (int size : sizes) {
                for (double load : loads) {
                    for (Strategy strategy : Strategy.values()) {
                        setups.add(new RoutingRun.Setup(scenario, size, load, strategy, scenario.clients(clients), warmup, measure, seed));
                    }
                }
            }
        }
        return setups;
    }

    /** Runs the setups on {@code threads} threads; the results come back in the setups' order. */
    static List<RoutingRun.Result> run(List<RoutingRun.Setup> setups, int threads) {
        return Parallel.map(setups, setup -> new RoutingRun(setup).run(), threads);
    }

    /** The strategies the default is measured against by name: the best balancers in the field. */
    static final List<Strategy> PEERS = List.of(Strategy.POWER_OF_TWO, Strategy.FINAGLE_P2C_PEAK_EWMA,
            Strategy.ENVOY_LEAST_REQUEST, Strategy.GRPC_WRR_ORCA);

    /** One table per scenario and size, then how the default compares with the rest in each row. */
    static String markdown(List<RoutingRun.Result> results) {
        return tables(results) + summary(results);
    }

    /**
     * Per scenario, size and load: the default's p99 against the best other strategy's and the best peer's
     * ({@link #PEERS}), and its herd ratio.
     */
    static String summary(List<RoutingRun.Result> results) {
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%n#### The default against the rest%n%n"
                + "| scenario | backends | load | default p99 ms | best other | its p99 ms | ÷ best other | best peer | ÷ best peer | default ÷ fair share |%n"
                + "|---|---:|---:|---:|---|---:|---:|---|---:|---:|%n"));
        Map<String, List<RoutingRun.Result>> rows = new LinkedHashMap<>();
        for (RoutingRun.Result r : results) {
            RoutingRun.Setup s = r.setup();
            rows.computeIfAbsent(s.scenario() + "|" + s.backends() + "|" + s.load(), k -> new ArrayList<>()).add(r);
        }
        int lowest = 0;
        int within5 = 0;
        for (List<RoutingRun.Result> row : rows.values()) {
            RoutingRun.Result ours = lowest(row, s -> s == Strategy.CAPACITY_AWARE);
            RoutingRun.Result other = lowest(row, s -> s != Strategy.CAPACITY_AWARE);
            RoutingRun.Result peer = lowest(row, PEERS::contains);
            if (ours == null || other == null || peer == null) {
                continue;
            }
            lowest += ours.p99() <= other.p99() ? 1 : 0;
            within5 += ours.p99() <= 1.05 * other.p99() ? 1 : 0;
            RoutingRun.Setup s = ours.setup();
            out.append(String.format(Locale.ROOT, "| %s | %d | %.0f%% | %s | %s | %s | %.2f | %s | %.2f | %.2f |%n",
                    s.scenario().label(), s.backends(), s.load() * 100, millis(ours.p99()), other.setup().strategy().label(),
                    millis(other.p99()), ours.p99() / other.p99(), peer.setup().strategy().label(), ours.p99() / peer.p99(),
                    ours.maxShareOverFair()));
        }
        out.append(String.format(Locale.ROOT, "%nThe default has the lowest p99 in %d of %d rows, and is within 5%% of the lowest in %d.%n",
                lowest, rows.size(), within5));
        return out.toString();
    }

    /** The result with the lowest p99 among those of {@code row} whose strategy passes {@code which}; null if none. */
    private static RoutingRun.Result lowest(List<RoutingRun.Result> row, Predicate<Strategy> which) {
        return row.stream().filter(r -> which.test(r.setup().strategy()))
                .min(Comparator.comparingDouble(RoutingRun.Result::p99)).orElse(null);
    }

    private static String tables(List<RoutingRun.Result> results) {
        StringBuilder out = new StringBuilder();
        Scenario scenario = null;
        int size = -1;
        for (RoutingRun.Result r : results) {
            RoutingRun.Setup s = r.setup();
            if (s.scenario() != scenario || s.backends() != size) {
                scenario = s.scenario();
                size = s.backends();
                out.append(String.format(Locale.ROOT, "%n#### %s, %d backends, %d clients%n%n", scenario.label(), size, s.clients()));
                out.append("| load | strategy | p50 ms | p99 ms | p999 ms | throughput req/s | max node util | max share in an interval | ÷ fair share |\n");
                out.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|\n");
            }
            out.append(String.format(Locale.ROOT, "| %.0f%% | %s | %s | %s | %s | %,.0f of %,.0f | %.0f%% | %.1f%% | %.2f |%n",
                    s.load() * 100, s.strategy().label(), millis(r.p50()), millis(r.p99()), millis(r.p999()),
                    r.throughput(), r.offered(), r.maxUtilisation() * 100, r.maxShare() * 100, r.maxShareOverFair()));
        }
        return out.toString();
    }

    private static String millis(double seconds) {
        double ms = seconds * 1000;
        return ms >= 100 ? String.format(Locale.ROOT, "%,.0f", ms) : String.format(Locale.ROOT, "%.1f", ms);
    }
}
