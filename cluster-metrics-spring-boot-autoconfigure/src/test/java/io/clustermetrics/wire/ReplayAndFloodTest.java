package io.clustermetrics.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.example.app.TestNodeApplication;
import com.sun.net.httpserver.HttpServer;
import io.clustermetrics.ClusterMetrics;
import io.clustermetrics.NodeMetrics;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Two attacks that need a cluster of their own: replaying a captured genuine message after a node died, and a
 * flood of invented peers that do answer gossip. Real three-node clusters on loopback, the attacker holding the
 * secret.
 */
class ReplayAndFloodTest {

    private static final String SECRET = TrustBoundaryTest.SECRET;
    private final Attacker attacker = new Attacker(SECRET);
    private final List<ConfigurableApplicationContext> nodes = new ArrayList<>();
    private List<String> addresses;

    @AfterEach
    void stop() {
        nodes.stream().filter(Objects::nonNull).forEach(ConfigurableApplicationContext::close);
    }

    private void startCluster(String... properties) throws Exception {
        List<Integer> ports = List.of(TestNodeApplication.freePort(), TestNodeApplication.freePort(), TestNodeApplication.freePort());
        addresses = ports.stream().map(p -> "http://127.0.0.1:" + p).toList();
        for (int port : ports) {
            List<String> all = new ArrayList<>(List.of("server.port=" + port, "cluster.metrics.gossip.secret=" + SECRET,
                    "cluster.metrics.gossip.peers=" + String.join(",", addresses)));
            all.addAll(List.of(properties));
            nodes.add(TestNodeApplication.start(all.toArray(String[]::new)));
        }
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> nodes.forEach(node -> assertThat(
                Attacker.addresses(node.getBean(ClusterMetrics.class).snapshot())).containsExactlyInAnyOrderElementsOf(addresses)));
    }

    /**
     * ttl 2 s and the default 30 s skew window: before, tombstones lasted 3 ttl (6 s), so a message captured while
     * the node lived and replayed 8 s after it died, still inside the window, brought it back on both survivors.
     */
    @Test
    void aReplayWithinTheSkewWindowCannotResurrectADeadNode() throws Exception {
        startCluster("cluster.metrics.ttl=2s");
        String dead = addresses.get(2);
        NodeMetrics last = nodes.get(0).getBean(ClusterMetrics.class).get(dead).orElseThrow();
        long signedAt = System.currentTimeMillis();
        String captured = Attacker.samples(Map.of(dead, last.cpuLoad()), last.timestamp()); // its genuine sample
        nodes.remove(2).close();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> nodes.forEach(node ->
                assertThat(node.getBean(ClusterMetrics.class).get(dead)).isEmpty()));
        Thread.sleep(8_000); // past the old tombstone lifetime, well inside the skew window
        for (int i = 0; i < 2; i++) {
            assertThat(attacker.push(addresses.get(i), captured, signedAt).statusCode()).as("validly signed, in the window")
                    .isEqualTo(200);
        }
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).untilAsserted(() -> nodes.forEach(node ->
                assertThat(node.getBean(ClusterMetrics.class).get(dead)).as("the dead node stays dead").isEmpty()));
    }

    /**
     * 150 invented addresses on loopback that answer every push with 200, re-sent fresh every 200 ms for 6 s: the
     * real nodes stay in every view throughout, since every round one draw goes to a listed peer that answered.
     */
    @Test
    void inventedPeersThatAnswerDoNotCrowdOutTheRealOnes() throws Exception {
        startCluster("cluster.metrics.ttl=2s");
        HttpServer sink = HttpServer.create(new InetSocketAddress(InetAddressHolder.ANY, 0), 200);
        sink.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            byte[] ok = "{\"received\":1}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, ok.length);
            exchange.getResponseBody().write(ok);
            exchange.close();
        });
        sink.start();
        try {
            int port = sink.getAddress().getPort();
            Map<String, Double> invented = new LinkedHashMap<>();
            IntStream.rangeClosed(2, 151).forEach(i -> invented.put("http://127.0.0." + i + ":" + port, 0.0));
            int polls = 0;
            long end = System.nanoTime() + Duration.ofSeconds(6).toNanos();
            while (System.nanoTime() < end) {
                for (String target : addresses) {
                    assertThat(attacker.push(target, Attacker.samples(invented, System.currentTimeMillis())).statusCode())
                            .isEqualTo(200);
                }
                for (ConfigurableApplicationContext node : nodes) {
                    assertThat(Attacker.addresses(node.getBean(ClusterMetrics.class).snapshot()))
                            .as("poll %d", polls).containsAll(addresses);
                }
                polls++;
                Thread.sleep(200);
            }
            System.out.printf("%d polls of every view during a flood of %d answering invented peers: the real nodes in all%n",
                    polls, invented.size());
            assertThat(nodes.get(0).getBean(ClusterMetrics.class).nodeCount()).as("the flood was taken in").isGreaterThan(100);
        } finally {
            sink.stop(0);
        }
    }

    /** The wildcard address, for a listener that answers every 127.0.0.x. */
    private static final class InetAddressHolder {
        static final java.net.InetAddress ANY = new InetSocketAddress(0).getAddress();
    }
}
