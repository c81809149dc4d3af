package io.clustermetrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class MetricsObserverTest {

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final ClusterMetrics store = new ClusterMetrics(Duration.ofSeconds(15), 100, () -> Instant.ofEpochMilli(now.get()));
    private final NodeAliases aliases = new NodeAliases();
    private final List<String> pulled = new ArrayList<>();

    /** Members of "orders" that call themselves by IP while the client knows them by name, and answer pulls at once. */
    private final Map<String, MetricsPdu.View> members = Map.of(
            "http://orders-1:8080", view("http://10.0.0.1:8080", "orders", 0.1),
            "http://orders-2:8080/", view("http://10.0.0.2:8080", "orders", 0.5));

    private final MetricsTransport transport = new MetricsTransport() {
        @Override
        public void send(String targetNode, MetricsPdu pdu) {
            throw new AssertionError("an observer never pushes");
        }

        @Override
        public void pull(String targetNode, String service, Consumer<MetricsPdu.View> onReply) {
            pulled.add(targetNode);
            onReply.accept(members.get(targetNode));
        }
    };

    private MetricsPdu.View view(String self, String service, double cpu) {
        List<NodeMetrics> samples = new ArrayList<>();
        samples.add(new NodeMetrics(self, now.get(), cpu, 1, 2, -1, 0, service));
        samples.add(new NodeMetrics("http://10.0.0.9:8080", now.get(), 0.3, 1, 2, -1, 0, "billing")); // not orders': dropped
        return new MetricsPdu.View(self, service, samples);
    }

    @Test
    void pullsEachUnmatchedInstanceInTurnAndLearnsWhatItCallsItself() {
        MetricsObserver observer = new MetricsObserver(store, transport, aliases, "web", 60_000, new Random(1));
        List<String> instances = List.of("http://orders-1:8080", "http://orders-2:8080/");
        assertThat(observer.resolve("orders", instances)).containsExactly("http://orders-1:8080", "http://orders-2:8080");
        observer.pullRound();
        observer.pullRound();
        // round 2: the unmatched orders-2, and orders-1, matched in round 1
        assertThat(pulled).containsExactly("http://orders-1:8080", "http://orders-2:8080/", "http://orders-1:8080");
        List<String> resolved = observer.resolve("orders", instances);
        assertThat(resolved).containsExactly("http://10.0.0.1:8080", "http://10.0.0.2:8080");
        assertThat(observer.resolve("orders", List.copyOf(instances))).as("the same list while nothing changes").isSameAs(resolved);
        assertThat(store.snapshot()).extracting(NodeMetrics::address, NodeMetrics::service).containsExactly(
                org.assertj.core.groups.Tuple.tuple("http://10.0.0.1:8080", "orders"),
                org.assertj.core.groups.Tuple.tuple("http://10.0.0.2:8080", "orders"));
        assertThat(observer.status().get("orders").unmatched()).isEmpty();
    }

    @Test
    void neverPullsItsOwnServiceNorAServiceNoLongerRoutedTo() {
        MetricsObserver observer = new MetricsObserver(store, transport, aliases, "orders", 60_000, new Random(1));
        observer.resolve("orders", List.of("http://orders-1:8080"));
        observer.pullRound();
        assertThat(pulled).as("gossip brings its own service").isEmpty();

        MetricsObserver client = new MetricsObserver(store, transport, aliases, "web", 60_000, new Random(1));
        client.resolve("orders", List.of("http://orders-1:8080"));
        now.addAndGet(60_001);
        client.pullRound();
        assertThat(pulled).isEmpty();
        assertThat(client.status()).isEmpty();
    }

    @Test
    void aServiceWithoutMetricsForAFewRoundsIsReported() {
        MetricsObserver observer = new MetricsObserver(store, (target, pdu) -> { }, aliases, "web", 60_000, new Random(1));
        observer.resolve("orders", List.of("http://orders-1:8080"));
        for (int i = 0; i < MetricsObserver.ROUNDS_BEFORE_MISSING - 1; i++) {
            observer.pullRound();
        }
        assertThat(observer.status().get("orders").missing()).isFalse();
        observer.pullRound();
        MetricsObserver.ServiceStatus status = observer.status().get("orders");
        assertThat(status.missing()).isTrue();
        assertThat(status.unmatched()).containsExactly("http://orders-1:8080");
        assertThat(status.instances()).isEqualTo(1);
    }

    @Test
    void anInstanceThatNeverMatchesDoesNotKeepTheMatchedOnesFromBeingPulledEveryRound() {
        String never = "http://orders-3:8080";
        boolean[] backingOff = {false};
        MetricsTransport withAFailingInstance = new MetricsTransport() {
            @Override
            public void send(String targetNode, MetricsPdu pdu) {
                throw new AssertionError("an observer never pushes");
            }

            @Override
            public boolean isAvailable(String targetNode) {
                return !(targetNode.equals(never) && backingOff[0]);
            }

            @Override
            public void pull(String targetNode, String service, Consumer<MetricsPdu.View> onReply) {
                pulled.add(targetNode);
                if (!targetNode.equals(never)) {
                    onReply.accept(members.get(targetNode));
                }
            }
        };
        MetricsObserver observer = new MetricsObserver(store, withAFailingInstance, aliases, "web", 60_000, new Random(1));
        observer.resolve("orders", List.of("http://orders-1:8080", "http://orders-2:8080/", never));
        for (int round = 0; round < 3; round++) { // each unmatched instance in turn
            observer.pullRound();
        }
        assertThat(observer.status().get("orders").unmatched()).containsExactly(never);
        for (int round = 0; round < 20; round++) {
            backingOff[0] = round % 3 != 0; // the transport backs off from it most rounds
            pulled.clear();
            observer.pullRound();
            assertThat(pulled).as("round " + round).filteredOn(i -> !i.equals(never)).hasSize(1);
            assertThat(pulled).as("round " + round).hasSize(backingOff[0] ? 1 : 2);
        }
    }
}
