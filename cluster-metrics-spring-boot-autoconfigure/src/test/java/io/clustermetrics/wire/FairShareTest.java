package io.clustermetrics.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.example.app.TestNodeApplication;
import com.example.reactive.ReactiveApplication;
import io.clustermetrics.ClusterMetrics;
import io.clustermetrics.GossipStatistics;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Issue 20, point 8: the places of {@code max-concurrent-requests} are shared fairly, and pulls take them too.
 * Strangers on 16 addresses (127.0.0.2 to 127.0.0.17, all loopback on Linux) each keep 4 slow signed-looking pushes
 * open, opening a new one as soon as one is answered, while a genuine peer on 127.0.0.1 pushes every 200 ms: its
 * sample must stay in the attacked node's view throughout (ttl 2 s). Before, the strangers held all 16 places and
 * the peer's pushes were refused 503 until its sample expired.
 */
class FairShareTest {

    private static final int STRANGERS = 16;
    private static final int CONNECTIONS_EACH = 4;

    @ParameterizedTest
    @ValueSource(strings = {"servlet", "reactive"})
    void slowStrangersOnManyAddressesCannotHoldAGenuinePeerAt503(String stack) throws Exception {
        int victimPort = TestNodeApplication.freePort();
        int peerPort = TestNodeApplication.freePort();
        String victimAddress = "http://127.0.0.1:" + victimPort;
        String peerAddress = "http://127.0.0.1:" + peerPort;
        String[] victimProperties = {"server.port=" + victimPort, "cluster.metrics.gossip.secret=" + TrustBoundaryTest.SECRET,
                "cluster.metrics.gossip.receive-timeout=60s", "cluster.metrics.gossip.peers=" + peerAddress};
        AtomicBoolean attacking = new AtomicBoolean(true);
        List<Thread> strangers = new ArrayList<>();
        Map<String, Long> answers = new ConcurrentHashMap<>();
        try (ConfigurableApplicationContext victim = stack.equals("servlet") ? TestNodeApplication.start(victimProperties)
                : ReactiveApplication.start(victimProperties);
                ConfigurableApplicationContext peer = TestNodeApplication.start("server.port=" + peerPort,
                        "cluster.metrics.gossip.secret=" + TrustBoundaryTest.SECRET, "cluster.metrics.gossip.peers=" + victimAddress)) {
            ClusterMetrics view = victim.getBean(ClusterMetrics.class);
            GossipStatistics statistics = victim.getBean(GossipStatistics.class);
            await().atMost(Duration.ofSeconds(15)).until(() -> view.get(peerAddress).isPresent());
            long receivedBefore = statistics.received();
            Thread.sleep(4000);
            long calmRate = statistics.received() - receivedBefore;
            for (int i = 0; i < STRANGERS; i++) {
                InetAddress from = InetAddress.getByName("127.0.0." + (2 + i));
                for (int c = 0; c < CONNECTIONS_EACH; c++) {
                    Thread stranger = new Thread(() -> {
                        while (attacking.get()) {
                            answers.merge(slowPush(from, victimPort, attacking), 1L, Long::sum);
                            sleep(); // and again, as soon as answered
                        }
                    });
                    stranger.setDaemon(true);
                    stranger.start();
                    strangers.add(stranger);
                }
            }
            Thread.sleep(1000); // the strangers take their places
            long received = statistics.received();
            List<Long> peerSampleAges = new ArrayList<>();
            long missing = 0;
            for (int i = 0; i < 16; i++) { // 8 s, twice a second
                Thread.sleep(500);
                var sample = view.get(peerAddress);
                if (sample.isPresent()) {
                    peerSampleAges.add(System.currentTimeMillis() - sample.get().timestamp());
                } else {
                    missing++;
                }
            }
            long underAttack = statistics.received() - received;
            System.out.printf("%s: pushes taken in 4 s of calm %d, in 8 s of attack %d; the peer's sample missing from the "
                    + "view %d of 16 looks, ages (ms) %s; strangers' answers so far %s%n", stack, calmRate, underAttack,
                    missing, peerSampleAges, answers);
            assertThat(missing).as("looks at the view that missed the genuine peer").isZero();
            assertThat(underAttack).as("genuine pushes taken under attack").isPositive();
        } finally {
            attacking.set(false);
            for (Thread stranger : strangers) {
                stranger.join(5000);
            }
        }
    }

    /**
     * A pull takes a place like a push: with {@code max-concurrent-requests=1}, a slow push held on 127.0.0.2 leaves
     * none for a pull (503); once the push is gone, the pull is answered. Before, pulls were not counted.
     */
    @ParameterizedTest
    @ValueSource(strings = {"servlet", "reactive"})
    void aPullTakesAPlace(String stack) throws Exception {
        String[] properties = {"cluster.metrics.gossip.max-concurrent-requests=1", "cluster.metrics.gossip.receive-timeout=30s"};
        try (ConfigurableApplicationContext node = stack.equals("servlet") ? TestNodeApplication.start(properties)
                : ReactiveApplication.start(properties)) {
            String base = TestNodeApplication.address(node);
            int port = Integer.parseInt(base.substring(base.lastIndexOf(':') + 1));
            HttpClient http = HttpClient.newHttpClient();
            HttpRequest pull = HttpRequest.newBuilder(URI.create(base + "/cluster-metrics/gossip")).build();
            await().atMost(Duration.ofSeconds(10)).until(() -> http.send(pull, HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
            int whileHeld;
            try (Socket slow = new Socket(InetAddress.getLoopbackAddress(), port, InetAddress.getByName("127.0.0.2"), 0)) {
                slow.getOutputStream().write(("POST /cluster-metrics/gossip HTTP/1.1\r\nHost: 127.0.0.1:" + port
                        + "\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{").getBytes(StandardCharsets.US_ASCII));
                slow.getOutputStream().flush();
                Thread.sleep(1000); // the push is waiting for its body now
                whileHeld = http.send(pull, HttpResponse.BodyHandlers.ofString()).statusCode();
            }
            System.out.printf("%s: a pull while a slow push holds the only place: %d%n", stack, whileHeld);
            assertThat(whileHeld).isEqualTo(503);
            await().atMost(Duration.ofSeconds(10)).until(() -> http.send(pull, HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
        }
    }

    /**
     * One slow signed-looking push from {@code from}: the headers, a 60,000-byte body announced, one byte; then it
     * waits for the answer (or for the attack's end) and gives its status, or "closed".
     */
    private static String slowPush(InetAddress from, int port, AtomicBoolean attacking) {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port, from, 0)) {
            socket.setSoTimeout(500);
            socket.getOutputStream().write(("POST /cluster-metrics/gossip HTTP/1.1\r\nHost: 127.0.0.1:" + port
                    + "\r\nContent-Type: application/json\r\nContent-Length: 60000\r\nX-Cluster-Metrics-Timestamp: "
                    + System.currentTimeMillis() + "\r\nX-Cluster-Metrics-Signature: sha256=00\r\n\r\n{")
                    .getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            byte[] status = new byte[12];
            int n = 0;
            while (n < status.length) {
                try {
                    int r = in.read(status, n, status.length - n);
                    if (r < 0) {
                        return "closed";
                    }
                    n += r;
                } catch (java.net.SocketTimeoutException e) {
                    if (!attacking.get()) {
                        return "held";
                    }
                }
            }
            return new String(status, StandardCharsets.US_ASCII).substring(9, 12);
        } catch (IOException e) {
            return "error";
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
