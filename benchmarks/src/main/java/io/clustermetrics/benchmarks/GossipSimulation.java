package io.clustermetrics.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * Gossip at scale, over the real gossip code (see {@link GossipRun} for the model), printed as Markdown
 * tables: how many rounds one round's samples take to reach every node, for each cluster size, fanout,
 * loss rate and protocol; then, in the steady state of a sample every round, the traffic and freshness of
 * the full-state push against a digest/delta exchange. Deterministic: the same arguments print the same
 * tables.
 *
 * <p>Run with {@code java -cp benchmarks/target/benchmarks.jar io.clustermetrics.benchmarks.GossipSimulation},
 * optionally with {@code key=value} arguments (an empty list skips that experiment):
 * <ul>
 *   <li>{@code converge=10,100,1000 seeds=100,20,1}: the sizes of the convergence table, and the runs
 *       (seeds) per size;
 *   <li>{@code steady=10,100}: the sizes of the steady-state table; {@code warmup=<2·⌈log2 N⌉>} rounds
 *       before measuring, {@code rounds=10} rounds measured;
 *   <li>{@code fanouts=1,2,3 losses=0,0.1 seed=1 threads=<processors>}.
 * </ul>
 */
public final class GossipSimulation {

    private GossipSimulation() {}

    /** Runs both experiments and prints their tables. */
    public static void main(String[] arguments) {
        Args args = new Args(arguments);
        int threads = args.integer("threads", Runtime.getRuntime().availableProcessors());
        long seed = args.longValue("seed", 1);
        int[] fanouts = args.integers("fanouts", 1, 2, 3);
        double[] losses = args.decimals("losses", 0, 0.1);
        long started = System.nanoTime();
        List<GossipRun.Result> converge = run(convergeSetups(args.integers("converge", 10, 100, 1000), fanouts, losses,
                args.integers("seeds", 100, 20, 1), seed), threads);
        List<GossipRun.Result> steady = run(steadySetups(args.integers("steady", 10, 100), fanouts, losses,
                args.integer("warmup", -1), args.integer("rounds", 10), seed), threads);
        if (!converge.isEmpty()) {
            System.out.print(convergeMarkdown(converge));
        }
        if (!steady.isEmpty()) {
            System.out.print(steadyMarkdown(steady));
        }
        System.out.printf(Locale.ROOT, "%n(%d runs in %.0f s of wall-clock time)%n", converge.size() + steady.size(),
                (System.nanoTime() - started) / 1e9);
    }

    /**
     * Converge runs for every size, fanout, loss and protocol, {@code seeds[i]} seeds for {@code sizes[i]}
     * (the last count for any further size), each waiting up to 200 rounds.
     */
    static List<GossipRun.Setup> convergeSetups(int[] sizes, int[] fanouts, double[] losses, int[] seeds, long seed) {
        List<GossipRun.Setup> setups = new ArrayList<>();
        for (int s = 0; s < sizes.length; s++) {
            int repetitions = seeds[Math.min(s, seeds.length - 1)];
            for (int fanout : fanouts) {
                for (double loss : losses) {
                    for (GossipRun.Protocol protocol : GossipRun.Protocol.values()) {
                        for (int r = 0; r < repetitions; r++) {
                            setups.add(new GossipRun.Setup(sizes[s], fanout, loss, protocol, GossipRun.Mode.CONVERGE, 0,
                                    200, seed + r));
                        }
                    }
                }
            }
        }
        return setups;
    }

    /**
     * Steady-state runs for every size, fanout, loss and protocol; {@code warmup} rounds before measuring
     * (negative for 2·⌈log2 N⌉), then {@code rounds} measured.
     */
    static List<GossipRun.Setup> steadySetups(int[] sizes, int[] fanouts, double[] losses, int warmup, int rounds, long seed) {
        List<GossipRun.Setup> setups = new ArrayList<>();
        for (int size : sizes) {
            int w = warmup >= 0 ? warmup : 2 * (32 - Integer.numberOfLeadingZeros(size - 1));
            for (int fanout : fanouts) {
                for (double loss : losses) {
                    for (GossipRun.Protocol protocol : GossipRun.Protocol.values()) {
                        setups.add(new GossipRun.Setup(size, fanout, loss, protocol, GossipRun.Mode.STEADY, w, rounds, seed));
                    }
                }
            }
        }
        return setups;
    }

    /** Runs the setups on {@code threads} threads; the results come back in the setups' order. */
    static List<GossipRun.Result> run(List<GossipRun.Setup> setups, int threads) {
        return Parallel.map(setups, setup -> new GossipRun(setup).run(), threads);
    }

    /**
     * One row per size, fanout and loss: rounds to converge with each protocol, and what a full-state
     * push of the whole view costs every round once views are full.
     */
    static String convergeMarkdown(List<GossipRun.Result> results) {
        StringBuilder out = new StringBuilder();
        out.append("\n| nodes | fanout | loss | 2·log2 N | full-state rounds | digest/delta rounds | runs | full-state bodies per node per round | full-state KiB per node per round |\n");
        out.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        List<List<GossipRun.Result>> groups = group(results);
        for (int g = 0; g + 1 < groups.size(); g += 2) {
            List<GossipRun.Result> full = groups.get(g);
            List<GossipRun.Result> digest = groups.get(g + 1);
            GossipRun.Setup s = full.get(0).setup();
            GossipRun.Result any = full.get(0);
            out.append(String.format(Locale.ROOT, "| %,d | %d | %.0f%% | %.1f | %s | %s | %d | %d | %,.1f |%n", s.nodes(), s.fanout(),
                    s.loss() * 100, 2 * Math.log(s.nodes()) / Math.log(2), rounds(full), rounds(digest), full.size(),
                    s.fanout() * any.fullViewBodies(), s.fanout() * any.fullViewBytes() / 1024.0));
        }
        return out.toString();
    }

    /** One row per size, fanout, loss and protocol: traffic and freshness in the steady state. */
    static String steadyMarkdown(List<GossipRun.Result> results) {
        StringBuilder out = new StringBuilder();
        out.append("\n| nodes | fanout | loss | protocol | bodies per node per round | KiB per node per round | mean age (rounds) | max age (rounds) | missing pairs |\n");
        out.append("|---:|---:|---:|---|---:|---:|---:|---:|---:|\n");
        for (GossipRun.Result r : results) {
            GossipRun.Setup s = r.setup();
            out.append(String.format(Locale.ROOT, "| %,d | %d | %.0f%% | %s | %.1f | %,.1f | %.2f | %.2f | %.3f%% |%n", s.nodes(),
                    s.fanout(), s.loss() * 100, s.protocol().label(), r.bodiesPerNodeRound(), r.bytesPerNodeRound() / 1024.0,
                    r.meanAge(), r.maxAge(), r.missing() * 100));
        }
        return out.toString();
    }

    /** "mean (min–max)" over the runs, or the value if they all agree. */
    private static String rounds(List<GossipRun.Result> runs) {
        if (runs.stream().anyMatch(r -> r.roundsToConverge() < 0)) {
            return "not within " + runs.get(0).setup().rounds();
        }
        int[] rounds = runs.stream().mapToInt(GossipRun.Result::roundsToConverge).toArray();
        int min = IntStream.of(rounds).min().orElse(0);
        int max = IntStream.of(rounds).max().orElse(0);
        return min == max ? Integer.toString(min)
                : String.format(Locale.ROOT, "%.1f (%d–%d)", IntStream.of(rounds).average().orElse(0), min, max);
    }

    /** Consecutive results of the same size, fanout, loss and protocol. */
    private static List<List<GossipRun.Result>> group(List<GossipRun.Result> results) {
        List<List<GossipRun.Result>> groups = new ArrayList<>();
        for (GossipRun.Result r : results) {
            GossipRun.Setup s = r.setup();
            List<GossipRun.Result> last = groups.isEmpty() ? null : groups.get(groups.size() - 1);
            GossipRun.Setup l = last == null ? null : last.get(0).setup();
            if (l != null && l.nodes() == s.nodes() && l.fanout() == s.fanout() && l.loss() == s.loss() && l.protocol() == s.protocol()) {
                last.add(r);
            } else {
                groups.add(new ArrayList<>(List.of(r)));
            }
        }
        return groups;
    }
}
