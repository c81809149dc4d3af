package io.clustermetrics.autoconfigure;

import io.clustermetrics.wire.GossipSignature;
import io.clustermetrics.GossipStatistics;
import io.clustermetrics.gossip.HttpMetricsTransport;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.example.app.TestNodeApplication;
import com.sun.net.httpserver.HttpServer;
import io.clustermetrics.ClusterMetrics;
import io.clustermetrics.NodeMetrics;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/** Real nodes against dead, silent and failing peers, wrong clocks, and their own shutdown. */
class FaultToleranceTest {

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable resource : resources) {
            resource.close();
        }
    }

    private ConfigurableApplicationContext node(String... properties) {
        ConfigurableApplicationContext node = TestNodeApplication.start(properties);
        resources.add(0, node::close);
        return node;
    }

    /** A peer that accepts connections and never answers. */
    private String silentPeer() throws IOException {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        List<Socket> held = new ArrayList<>();
        Thread acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    held.add(server.accept());
                } catch (IOException closed) {
                    return;
                }
            }
        });
        acceptor.start();
        resources.add(server);
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    /** A peer that answers every request with 500, counting them. */
    private String failingPeer(AtomicInteger requests, int status) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
        resources.add(() -> server.stop(0));
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** A port nobody listens on. */
    private static String absentPeer() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return "http://127.0.0.1:" + s.getLocalPort();
        }
    }

    private static long freshestAge(ConfigurableApplicationContext viewer, String of) {
        return viewer.getBean(ClusterMetrics.class).age(of).map(Duration::toMillis).orElse(Long.MAX_VALUE);
    }

    @Test
    void silentFailingAndAbsentPeersNeitherSlowTheRoundNorStaleTheGoodPeer() throws Exception {
        AtomicInteger failures = new AtomicInteger();
        String silent = silentPeer();
        String failing = failingPeer(failures, 500);
        String absent = absentPeer();
        ConfigurableApplicationContext good = node();
        ConfigurableApplicationContext baseline = node("cluster.metrics.gossip.peers=" + TestNodeApplication.address(good));
        ConfigurableApplicationContext exposed = node("cluster.metrics.gossip.fanout=4", "cluster.metrics.gossip.peers="
                + String.join(",", TestNodeApplication.address(good), silent, failing, absent));
        String goodAddress = TestNodeApplication.address(good);
        String exposedAddress = TestNodeApplication.address(exposed);

        await().atMost(Duration.ofSeconds(5)).until(() -> freshestAge(exposed, goodAddress) < 1_000
                && freshestAge(good, exposedAddress) < 1_000 && freshestAge(baseline, goodAddress) < 1_000);
        GossipStatistics withBadPeers = exposed.getBean(GossipStatistics.class);
        GossipStatistics without = baseline.getBean(GossipStatistics.class);
        long roundsWith = withBadPeers.rounds();
        long roundsWithout = without.rounds();
        long ageWith = 0;
        long ageWithout = 0;
        int looks = 0;
        for (long end = System.nanoTime() + 3_000_000_000L; System.nanoTime() < end; Thread.sleep(100), looks++) {
            ageWith += Math.max(freshestAge(exposed, goodAddress), freshestAge(good, exposedAddress));
            ageWithout += Math.max(freshestAge(baseline, goodAddress), freshestAge(good, TestNodeApplication.address(baseline)));
        }
        roundsWith = withBadPeers.rounds() - roundsWith;
        roundsWithout = without.rounds() - roundsWithout;
        System.out.printf("in 3 s: %d gossip rounds with three bad peers, %d without; mean age of the good peer's sample %d ms "
                + "with, %d ms without; slowest round %s with, %s without%n", roundsWith, roundsWithout, ageWith / looks,
                ageWithout / looks, withBadPeers.slowestRound(), without.slowestRound());

        // rounds hand sends to other threads: a round that waited for a connect (300 ms) or read (500 ms)
        // timeout would run at most every 500 ms instead of every 200, and its samples would age accordingly
        assertThat(roundsWith).as("rounds with bad peers, against without").isGreaterThanOrEqualTo(roundsWithout * 8 / 10);
        assertThat(ageWith).as("the good peer's freshness with bad peers, against without").isLessThan(2 * ageWithout);
        assertThat(withBadPeers.failed()).isGreaterThan(3);
        assertThat(failures.get()).as("the failing peer is retried, with backoff").isBetween(2, 20);
        assertThat(exposed.getBean(HttpMetricsTransport.class).failingPeers()).contains(failing, absent);
        assertThat(Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("cluster-metrics-gossip-send"))).hasSizeLessThanOrEqualTo(3 * 8);
    }

    @Test
    void closingTheContextStopsEveryThreadItStartedAndSendsNothingAfterwards() throws Exception {
        AtomicInteger received = new AtomicInteger();
        String recorder = failingPeer(received, 200);
        ConfigurableApplicationContext node = TestNodeApplication.start("cluster.metrics.gossip.peers=" + recorder);
        await().atMost(Duration.ofSeconds(5)).until(() -> received.get() >= 3);
        assertThat(starterThreads()).isNotEmpty();

        node.close();
        int atClose = received.get();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(starterThreads()).isEmpty());
        Thread.sleep(1_000);
        assertThat(received.get()).isEqualTo(atClose);
    }

    private static List<String> starterThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(name -> name.startsWith("cluster-metrics-")).toList();
    }

    /**
     * A peer (or whoever answers at its address) that refuses every message and names a clock a day ahead,
     * unsigned or signed with another key, teaches the node nothing: it goes on signing in its own time.
     */
    @Test
    void aRefusalWithAForgedClockIsNotLearned() throws Exception {
        long dayAhead = System.currentTimeMillis() + Duration.ofDays(1).toMillis();
        List<Long> stamps = new CopyOnWriteArrayList<>();
        HttpServer liar = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        liar.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            stamps.add(Long.parseLong(exchange.getRequestHeaders().getFirst(GossipSignature.TIMESTAMP_HEADER)));
            exchange.getResponseHeaders().set(GossipSignature.TIMESTAMP_HEADER, Long.toString(dayAhead));
            exchange.getResponseHeaders().set(GossipSignature.SIGNATURE_HEADER, new GossipSignature("not the secret")
                    .sign(dayAhead, exchange.getRequestHeaders().getFirst(GossipSignature.SIGNATURE_HEADER).getBytes(US_ASCII)));
            exchange.sendResponseHeaders(401, -1);
            exchange.close();
        });
        liar.start();
        resources.add(() -> liar.stop(0));
        node("cluster.metrics.gossip.secret=the-secret", "cluster.metrics.gossip.peers=http://127.0.0.1:" + liar.getAddress().getPort());

        await().atMost(Duration.ofSeconds(10)).until(() -> stamps.size() >= 3);
        assertThat(stamps).allSatisfy(stamp -> assertThat(stamp).isCloseTo(System.currentTimeMillis(), within(30_000L)));
    }

    /**
     * Signed, as gossip off loopback must be: a minute is beyond the 30 s skew window, so the nodes behind
     * and ahead only gossip by signing in their peer's time, which its refusal tells them.
     */
    @Test
    void expiryFollowsTheReceiversClockWhateverTheSendersClockSays() throws Exception {
        String secret = "cluster.metrics.gossip.secret=clock-test";
        ConfigurableApplicationContext a = node(secret);
        String aAddress = TestNodeApplication.address(a);
        ConfigurableApplicationContext behind = node(secret, "test.clock-offset=-60s", "cluster.metrics.gossip.peers=" + aAddress);
        ConfigurableApplicationContext ahead = node(secret, "test.clock-offset=60s", "cluster.metrics.gossip.peers=" + aAddress);
        List<String> all = Stream.of(a, behind, ahead).map(TestNodeApplication::address).toList();
        List<ConfigurableApplicationContext> nodes = List.of(a, behind, ahead);

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> nodes.forEach(node -> assertThat(
                node.getBean(ClusterMetrics.class).snapshot()).extracting(NodeMetrics::address).containsExactlyInAnyOrderElementsOf(all)));
        assertThat(a.getBean(ClusterMetrics.class).get(all.get(1)).orElseThrow().timestamp())
                .as("the node behind stamps its samples a minute in the past").isLessThan(System.currentTimeMillis() - 50_000);
        // a minute behind is no reason to expire: for longer than the 2 s ttl every node stays in every view
        for (long end = System.nanoTime() + 3_000_000_000L; System.nanoTime() < end; Thread.sleep(200)) {
            nodes.forEach(node -> assertThat(node.getBean(ClusterMetrics.class).nodeCount()).isEqualTo(3));
        }
        // a minute ahead pins nothing: closed, the node leaves the others' views within its ttl
        ahead.close();
        await().atMost(Duration.ofSeconds(4)).untilAsserted(() -> Stream.of(a, behind).forEach(node -> assertThat(
                node.getBean(ClusterMetrics.class).snapshot()).extracting(NodeMetrics::address).doesNotContain(all.get(2))));
        assertThat(a.getBean(GossipStatistics.class).refused()).as("one refusal per skewed sender, then none")
                .isBetween(2L, 6L);
    }
}
