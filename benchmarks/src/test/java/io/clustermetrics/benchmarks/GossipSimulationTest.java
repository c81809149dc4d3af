package io.clustermetrics.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.clustermetrics.NodeMetrics;
import io.clustermetrics.wire.GossipCodec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Runs the gossip simulation at tiny sizes, so that it cannot rot, and checks its sizes against the codec. */
class GossipSimulationTest {

    @Test
    void tenNodesAtFanoutThreeConvergeWithinTwoLog2NRounds() {
        List<GossipRun.Result> results = GossipSimulation.run(
                GossipSimulation.convergeSetups(new int[] {10}, new int[] {3}, new double[] {0}, new int[] {10}, 1), 2);
        assertThat(results).hasSize(20);
        double bound = 2 * Math.log(10) / Math.log(2);
        assertThat(results).allSatisfy(r -> assertThat(r.roundsToConverge()).isBetween(1, (int) bound));
    }

    @Test
    void tenNodesConvergeDespiteLoss() {
        List<GossipRun.Result> results = GossipSimulation.run(
                GossipSimulation.convergeSetups(new int[] {10}, new int[] {1}, new double[] {0.1}, new int[] {5}, 1), 2);
        assertThat(results).allSatisfy(r -> assertThat(r.roundsToConverge()).isBetween(1, 30));
        assertThat(GossipSimulation.convergeMarkdown(results)).contains("| 10 | 1 | 10% | 6.6 |");
    }

    @Test
    void sameSeedSameResults() {
        GossipRun.Setup converge = new GossipRun.Setup(30, 2, 0.1, GossipRun.Protocol.DIGEST_DELTA, GossipRun.Mode.CONVERGE, 0, 200, 3);
        assertThat(new GossipRun(converge).run()).isEqualTo(new GossipRun(converge).run());
        GossipRun.Setup steady = new GossipRun.Setup(20, 3, 0, GossipRun.Protocol.FULL_STATE, GossipRun.Mode.STEADY, 8, 3, 3);
        assertThat(new GossipRun(steady).run()).isEqualTo(new GossipRun(steady).run());
    }

    @Test
    void inTheSteadyStateFullStateSendsTheWholeViewToEveryPeerEveryRound() {
        List<GossipRun.Result> results = GossipSimulation.run(
                GossipSimulation.steadySetups(new int[] {20}, new int[] {3}, new double[] {0}, 8, 5, 1), 2);
        GossipRun.Result full = results.get(0);
        GossipRun.Result digest = results.get(1);
        assertThat(full.setup().protocol()).isEqualTo(GossipRun.Protocol.FULL_STATE);
        assertThat(full.bodiesPerNodeRound()).isEqualTo(3.0);
        assertThat(full.bytesPerNodeRound()).isCloseTo(3.0 * full.fullViewBytes(), within(0.01 * full.fullViewBytes()));
        assertThat(List.of(full, digest)).allSatisfy(r -> {
            assertThat(r.missing()).isZero();
            assertThat(r.meanAge()).isBetween(0.0, 5.0);
            assertThat(r.maxAge()).isLessThan(5.0);
        });
        assertThat(GossipSimulation.steadyMarkdown(results).lines().filter(l -> l.startsWith("| 20 |"))).hasSize(2);
    }

    @Test
    void batchSizesAndSplitsMatchTheRealCodecByteForByte() {
        SplittableRandom random = new SplittableRandom(5);
        List<NodeMetrics> samples = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            samples.add(new RandomLoadProbe(random).sample(GossipRun.address(i), SimClock.EPOCH_MILLIS + random.nextLong(1_000_000)));
        }
        WireSize wire = new WireSize();
        GossipCodec codec = new GossipCodec();
        for (long max : new long[] {WireSize.MAX_BODY, 1000, 10}) {
            for (List<NodeMetrics> batch : List.of(samples, samples.subList(0, 1), samples.subList(0, 37))) {
                List<byte[]> encoded = codec.encode(batch, max);
                List<List<NodeMetrics>> parts = wire.split(batch, max);
                assertThat(parts).hasSameSizeAs(encoded);
                for (int i = 0; i < parts.size(); i++) {
                    assertThat(wire.batch(parts.get(i))).isEqualTo(encoded.get(i).length);
                }
            }
        }
        assertThat(wire.batch(List.of())).isEqualTo(codec.encode(List.of(), WireSize.MAX_BODY).get(0).length);
        assertThat(wire.split(samples, WireSize.MAX_BODY)).hasSize(4);
    }

    @Test
    void digestAndDeltaSizesMatchTheirJson() {
        SplittableRandom random = new SplittableRandom(6);
        List<NodeMetrics> view = new ArrayList<>();
        Map<String, Long> digest = new LinkedHashMap<>();
        for (int i = 0; i < 300; i++) {
            NodeMetrics m = new RandomLoadProbe(random).sample(GossipRun.address(i), SimClock.EPOCH_MILLIS + i);
            view.add(m);
            digest.put(m.address(), m.timestamp());
        }
        WireSize wire = new WireSize();
        assertThat(wire.digest(view)).isEqualTo(WireSize.encode(new WireSize.Digest(digest)).length);
        assertThat(wire.digest(List.of())).isEqualTo(WireSize.encode(new WireSize.Digest(Map.of())).length);
        List<String> want = view.subList(0, 20).stream().map(NodeMetrics::address).toList();
        assertThat(wire.delta(view.subList(20, 90), want))
                .isEqualTo(WireSize.encode(new WireSize.Delta(view.subList(20, 90), want)).length);
        assertThat(wire.delta(List.of(), List.of())).isEqualTo(WireSize.encode(new WireSize.Delta(List.of(), List.of())).length);
    }
}
