package io.clustermetrics.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.app.TestNodeApplication;
import com.example.reactive.ReactiveApplication;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * 200 connections that send a gossip push's headers (signed-looking, a 60,000-byte body announced) and then one
 * byte, and no more: the node's other endpoints and its health keep answering, at most
 * {@code max-concurrent-requests} of them wait for their body, refused 408 after {@code receive-timeout}, and
 * the rest are refused 503 at once. Servlet and reactive alike. (Before, every server thread waited on a slow
 * body and health did not answer for the full minute; the 10 s receive timeout here keeps the count of 408s
 * meaningful on a crowded machine: every connection is handled well within it.)
 */
class SlowUploadTest {

    private static final int CONNECTIONS = 200;

    @ParameterizedTest
    @ValueSource(strings = {"servlet", "reactive"})
    void slowUploadsTakeNeitherTheServerNorItsHealth(String stack) throws Exception {
        String[] properties = {"cluster.metrics.gossip.secret=" + TrustBoundaryTest.SECRET,
                "cluster.metrics.gossip.receive-timeout=10s", "cluster.metrics.gossip.max-concurrent-requests=16"};
        try (ConfigurableApplicationContext node = stack.equals("servlet") ? TestNodeApplication.start(properties)
                : ReactiveApplication.start(properties)) {
            String base = TestNodeApplication.address(node);
            int port = Integer.parseInt(base.substring(base.lastIndexOf(':') + 1));
            List<Socket> sockets = new ArrayList<>();
            ExecutorService readers = Executors.newFixedThreadPool(CONNECTIONS);
            try {
                List<Future<String>> statuses = new ArrayList<>();
                for (int i = 0; i < CONNECTIONS; i++) {
                    Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
                    socket.setSoTimeout(30_000);
                    sockets.add(socket);
                    OutputStream out = socket.getOutputStream();
                    out.write(("POST /cluster-metrics/gossip HTTP/1.1\r\nHost: 127.0.0.1:" + port
                            + "\r\nContent-Type: application/json\r\nContent-Length: 60000\r\nX-Cluster-Metrics-Timestamp: "
                            + System.currentTimeMillis() + "\r\nX-Cluster-Metrics-Signature: sha256=00\r\n\r\n{")
                            .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    statuses.add(readers.submit(() -> new BufferedReader(new InputStreamReader(socket.getInputStream(),
                            StandardCharsets.US_ASCII)).readLine()));
                }
                HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
                for (String path : List.of("/actuator/health", "/whoami", "/actuator/health")) {
                    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + path))
                            .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
                    assertThat(response.statusCode()).as(path + " during the slow uploads").isEqualTo(200);
                }
                List<String> lines = new ArrayList<>();
                for (Future<String> status : statuses) {
                    lines.add(status.get());
                }
                Map<String, Long> counts = lines.stream().map(l -> l == null ? "closed" : l.split(" ")[1])
                        .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
                System.out.printf("%s: %d slow uploads answered %s%n", stack, CONNECTIONS, counts);
                assertThat(counts.getOrDefault("408", 0L)).as("waited for, then timed out").isBetween(1L, 16L);
                assertThat(counts.getOrDefault("503", 0L)).as("refused at once").isGreaterThanOrEqualTo(CONNECTIONS - 16L);
                HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(base + "/actuator/health")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(health.statusCode()).isEqualTo(200);
            } finally {
                for (Socket socket : sockets) {
                    socket.close();
                }
                readers.shutdownNow();
            }
        }
    }
}
