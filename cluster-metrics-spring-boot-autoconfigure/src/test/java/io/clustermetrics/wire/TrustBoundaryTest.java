package io.clustermetrics.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.example.app.TestNodeApplication;
import io.clustermetrics.ClusterMetrics;
import io.clustermetrics.GossipStatistics;
import io.clustermetrics.NodeMetrics;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The attack review's scenarios against a real three-node cluster on loopback, the attacker holding the gossip
 * secret (a compromised or buggy peer): each refusal, and every node's view afterwards.
 */
@ExtendWith(OutputCaptureExtension.class)
class TrustBoundaryTest {

    static final String SECRET = "trust-secret";
    private static final Attacker attacker = new Attacker(SECRET);
    private static final List<ConfigurableApplicationContext> nodes = new ArrayList<>();
    private static List<String> addresses;

    @BeforeAll
    static void start() throws IOException {
        List<Integer> ports = List.of(TestNodeApplication.freePort(), TestNodeApplication.freePort(), TestNodeApplication.freePort());
        addresses = ports.stream().map(p -> "http://127.0.0.1:" + p).toList();
        for (int port : ports) {
            nodes.add(TestNodeApplication.start("server.port=" + port, "cluster.metrics.gossip.secret=" + SECRET,
                    "cluster.metrics.gossip.peers=" + String.join(",", addresses), "cluster.metrics.probe.type=static",
                    "cluster.metrics.probe.static.cpu-load=0.2"));
        }
        awaitWholeView();
    }

    @AfterAll
    static void stop() {
        nodes.forEach(ConfigurableApplicationContext::close);
    }


    private static void awaitWholeView() {
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> nodes.forEach(node -> assertThat(
                Attacker.addresses(node.getBean(ClusterMetrics.class).snapshot())).containsExactlyInAnyOrderElementsOf(addresses)));
    }

    private static void assertEveryViewIsTheCluster() {
        nodes.forEach(node -> assertThat(Attacker.addresses(node.getBean(ClusterMetrics.class).snapshot()))
                .containsExactlyInAnyOrderElementsOf(addresses));
    }

    @Test
    void anAddressIsSchemeHostAndPortOnlyInOneSpelling() throws Exception {
        try (ServerSocket trap = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            AtomicInteger connections = new AtomicInteger();
            Thread acceptor = new Thread(() -> {
                while (!trap.isClosed()) {
                    try (Socket s = trap.accept()) {
                        connections.incrementAndGet();
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            String trapBase = "http://127.0.0.1:" + trap.getLocalPort();
            long now = System.currentTimeMillis();
            for (String forged : List.of(trapBase + "/admin/delete?confirm=yes&x=", trapBase + "#", trapBase + "/x",
                    trapBase + "?q", "http://user@127.0.0.1:" + trap.getLocalPort(), "ftp://127.0.0.1:21", "127.0.0.1:8080",
                    trapBase + " ", trapBase + "\r\nX-Forged: yes", trapBase + "\u0000", "http://" + "a".repeat(300) + ":80",
                    "http://127.0.0.1:99999", "http://[fe80::1%25eth0]:8080")) {
                HttpResponse<String> response = attacker.push(addresses.get(0), Attacker.sample(json(forged), now, 0.1));
                assertThat(response.statusCode()).as(forged).isEqualTo(400);
                assertThat(response.body()).contains("\"status\":400", "node address");
            }
            // the same node in other spellings is that node, not three more
            String port = addresses.get(1).substring(addresses.get(1).lastIndexOf(':') + 1);
            for (String alias : List.of("HTTP://127.0.0.1:" + port, "http://127.0.0.1:" + port + "/")) {
                assertThat(attacker.push(addresses.get(0), Attacker.sample(json(alias), 1, 0.9)).statusCode()).isEqualTo(200);
            }
            assertThat(attacker.push(addresses.get(0), "{\"metrics\":[" + Attacker.sample(json("HTTP://127.0.0.1:" + port), now, 0.5)
                    .replaceAll("^\\{\"metrics\":\\[|]}$", "") + "," + Attacker.sample(json("http://127.0.0.1:" + port + "/"), now, 0.5)
                    .replaceAll("^\\{\"metrics\":\\[|]}$", "") + "]}").statusCode()).as("one node twice").isEqualTo(400);
            long rounds = nodes.get(0).getBean(GossipStatistics.class).rounds();
            await().atMost(Duration.ofSeconds(10)).until(() -> nodes.get(0).getBean(GossipStatistics.class).rounds() > rounds + 5);
            assertEveryViewIsTheCluster();
            assertThat(connections.get()).as("requests to the forged address").isZero();
        }
    }

    @Test
    void aNodeRefutesAFutureSampleAboutItselfWithinAboutARound() throws Exception {
        String victim = addresses.get(1);
        // beyond the horizon: the sample is dropped, and the message (the rest of a sender's view) still taken
        for (long beyond : List.of(Long.MAX_VALUE, 32_503_680_000_000L)) {
            HttpResponse<String> dropped = attacker.push(addresses.get(0), Attacker.sample(json(victim), beyond, 0.99));
            assertThat(dropped.statusCode()).as(dropped.body()).isEqualTo(200);
            assertThat(dropped.body()).contains("\"received\":0", "\"dropped\":1");
            assertThat(nodes.get(0).getBean(ClusterMetrics.class).get(victim).orElseThrow().cpuLoad()).isNotEqualTo(0.99);
        }
        GossipStatistics victimRounds = nodes.get(1).getBean(GossipStatistics.class);
        List<Long> roundsToRefute = new ArrayList<>();
        for (int attempt = 1; attempt <= 3; attempt++) {
            // within the horizon, and later each time: a forged high load for the victim
            long forged = System.currentTimeMillis() + attempt * 3_600_000L;
            assertThat(attacker.push(addresses.get(0), Attacker.sample(json(victim), forged, 0.99)).statusCode()).isEqualTo(200);
            assertThat(nodes.get(0).getBean(ClusterMetrics.class).get(victim).orElseThrow().cpuLoad()).isEqualTo(0.99);
            long before = victimRounds.rounds();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> nodes.forEach(node -> {
                NodeMetrics seen = node.getBean(ClusterMetrics.class).get(victim).orElseThrow();
                assertThat(seen.cpuLoad()).isEqualTo(0.2);
                assertThat(seen.timestamp()).isGreaterThan(forged);
            }));
            roundsToRefute.add(victimRounds.rounds() - before);
            assertEveryViewIsTheCluster();
        }
        System.out.println("victim's gossip rounds until every view had its own sample again: " + roundsToRefute);
        assertThat(roundsToRefute).allSatisfy(r -> assertThat(r).isLessThanOrEqualTo(8));
    }

    @Test
    void theSkewCheckCannotOverflow() throws Exception {
        long now = System.currentTimeMillis();
        HttpResponse<String> response = attacker.push(addresses.get(0),
                Attacker.sample(json("http://127.9.9.9:8080"), now, 0.1), now + Long.MIN_VALUE);
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(nodes.get(0).getBean(ClusterMetrics.class).get("http://127.9.9.9:8080")).isEmpty();
    }

    @Test
    void peerSuppliedTextNeverForgesALogLine(CapturedOutput output) {
        String forged = "ZZ-FORGED-LOG-LINE";
        assertThat(LogSafe.of("a\r\n" + forged + "\u0000\u001b[31m")).isEqualTo("a\\u000d\\u000a" + forged + "\\u0000\\u001b[31m");
        assertThat(LogSafe.of("x".repeat(10_000))).hasSizeLessThan(LogSafe.MAX + 30).endsWith("...(10000 characters)");
        assertThat(output.getAll().lines().filter(line -> line.startsWith(forged) || line.startsWith("X-Forged"))).isEmpty();
    }

    static String json(String text) {
        return tools.jackson.databind.json.JsonMapper.builder().build().writeValueAsString(text);
    }

    static String joined(Stream<String> lines) {
        return lines.collect(Collectors.joining("\n"));
    }
}
