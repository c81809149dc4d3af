package io.clustermetrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Gossip between real stores over an in-memory transport that delivers each message to its target. */
class MetricsGossiperTest {

    private final Map<String, ClusterMetrics> stores = new TreeMap<>();
    private final List<String> sent = new ArrayList<>();
    private final MetricsTransport network = (target, pdu) -> {
        sent.add(target);
        MetricsGossip.apply(stores.get(target), pdu);
    };

    private MetricsGossiper node(String self, List<String> listed, int fanout, MetricsTransport transport) {
        stores.put(self, new ClusterMetrics());
        return new MetricsGossiper(stores.get(self), new StaticProbe(0.5, 1, 2), self, () -> listed, transport, fanout, new Random(1));
    }

    @Test
    void nodesThatListOnlyTheirNeighbourLearnTheWholeClusterEpidemically() {
        List<MetricsGossiper> ring = IntStream.range(0, 6)
                .mapToObj(i -> node("n" + i, List.of("n" + (i + 1) % 6), 1, network))
                .toList();
        for (int round = 1; round <= 12; round++) {
            for (MetricsGossiper g : ring) {
                g.sampleLocal(round);
                g.gossipRound();
            }
        }
        stores.values().forEach(store -> assertThat(store.snapshot()).hasSize(6).allSatisfy(
                m -> assertThat(m.timestamp()).isGreaterThan(1)));
        assertThat(ring.get(0).peers()).containsExactlyInAnyOrder("n1", "n2", "n3", "n4", "n5");
    }

    @Test
    void aRoundGoesToFanoutDistinctAvailablePeersAndNeverToItself() {
        MetricsTransport skipsN2 = new MetricsTransport() {
            @Override
            public void send(String target, MetricsPdu pdu) {
                network.send(target, pdu);
            }

            @Override
            public boolean isAvailable(String target) {
                return !target.equals("n2");
            }
        };
        List.of("n1", "n2", "n3", "n4").forEach(n -> stores.put(n, new ClusterMetrics()));
        MetricsGossiper self = node("n0", List.of("n0", "n1", "n2", "n3", "n4"), 2, skipsN2);
        assertThat(self.gossipRound()).as("nothing to say before the first sample").isEmpty();
        self.sampleLocal(1);
        for (int i = 0; i < 50; i++) {
            List<String> targets = self.gossipRound();
            assertThat(targets).hasSize(2).doesNotHaveDuplicates().doesNotContain("n0", "n2");
        }
        assertThat(Set.copyOf(sent)).containsExactlyInAnyOrder("n1", "n3", "n4");
        assertThat(stores.get("n1").get("n0")).isPresent();
    }

    /**
     * Fifty addresses a flood made up, which never answer, and two live peers: all but one of each round's
     * draws go to peers that answered their last message, so the live ones hear from this node every round,
     * and the last draw stays open to every peer, so new nodes are still reached.
     */
    @Test
    void peersThatAnsweredGetAllButOneDrawSoAFloodCannotStarveThem() {
        MetricsTransport answersFromLiveOnly = recordingWhereAnswered(Set.of("n1", "n2"));
        List<String> listed = new ArrayList<>(List.of("n1", "n2"));
        IntStream.range(0, 50).mapToObj(i -> "invented-" + i).forEach(listed::add);
        MetricsGossiper self = node("n0", listed, 3, answersFromLiveOnly);
        self.sampleLocal(1);
        for (int round = 0; round < 100; round++) {
            assertThat(self.gossipRound()).hasSize(3).doesNotHaveDuplicates().contains("n1", "n2");
        }
        assertThat(sent.stream().filter(target -> target.startsWith("invented-")).distinct().count())
                .as("the open draw reaches unproven peers too").isGreaterThan(20);
    }

    /** With a fanout of 1, every other round goes to a peer that answered; with none answered, all are drawn. */
    @Test
    void withAFanoutOfOneEveryOtherRoundGoesToAPeerThatAnswered() {
        Set<String> live = new HashSet<>(Set.of("n1"));
        MetricsTransport answersFromLiveOnly = recordingWhereAnswered(live);
        List<String> listed = new ArrayList<>(List.of("n1"));
        IntStream.range(0, 50).mapToObj(i -> "invented-" + i).forEach(listed::add);
        MetricsGossiper self = node("n0", listed, 1, answersFromLiveOnly);
        self.sampleLocal(1);
        for (int round = 0; round < 100; round++) {
            List<String> targets = self.gossipRound();
            assertThat(targets).hasSize(1);
            if (round % 2 == 1) {
                assertThat(targets).containsExactly("n1");
            }
        }
        live.clear();
        sent.clear();
        IntStream.range(0, 100).forEach(round -> self.gossipRound());
        assertThat(sent.stream().distinct().count()).as("nobody answered: every draw is open").isGreaterThan(30);
    }

    /** A transport that records where messages go, whose peers in {@code live} have answered. */
    private MetricsTransport recordingWhereAnswered(Set<String> live) {
        return new MetricsTransport() {
            @Override
            public void send(String target, MetricsPdu pdu) {
                sent.add(target);
            }

            @Override
            public boolean hasAnswered(String target) {
                return live.contains(target);
            }
        };
    }

    @Test
    void refusesAFanoutBelowOne() {
        assertThatIllegalArgumentException().isThrownBy(() -> node("n0", List.of(), 0, network));
    }

    /**
     * A node is the authority on itself: a newer-looking sample about it (made up by a peer, or its own from before
     * its clock stepped back or it restarted) is outdated by its next sample, which then wins on every node.
     */
    @Test
    void aNodeOutdatesANewerLookingSampleAboutItselfAndHealsAfterItsClockStepsBack() {
        MetricsGossiper a = node("a", List.of("b"), 1, network);
        MetricsGossiper b = node("b", List.of("a"), 1, network);
        long now = 1_000_000;
        a.sampleLocal(now);
        // a peer's forged sample of "a", an hour ahead, reaches both stores
        NodeMetrics forged = new NodeMetrics("a", now + 3_600_000, 0.99, 1, 2);
        stores.values().forEach(store -> store.publish(forged));
        NodeMetrics next = a.sampleLocal(now + 1_000);
        assertThat(next.timestamp()).isEqualTo(forged.timestamp() + 1);
        a.gossipRound();
        assertThat(stores.get("b").get("a").orElseThrow().cpuLoad()).isEqualTo(0.5);
        assertThat(a.refutations()).isEqualTo(1);

        // b's clock ran an hour ahead, then stepped back: it carries on from its newest sample at once
        b.sampleLocal(now + 3_600_000);
        NodeMetrics afterStep = b.sampleLocal(now + 2_000);
        assertThat(afterStep.timestamp()).isEqualTo(now + 3_600_001);
        assertThat(stores.get("b").get("b").orElseThrow()).isEqualTo(afterStep);

        // a sample of itself further ahead than any clock may be is dropped, and the node starts again from now
        stores.get("b").publish(new NodeMetrics("b", now + 10 * 86_400_000L, 0.99, 1, 2));
        assertThat(b.sampleLocal(now + 3_000).timestamp()).isEqualTo(now + 3_000);
        assertThat(stores.get("b").get("b").orElseThrow().timestamp()).isEqualTo(now + 3_000);
    }
}
