package io.clustermetrics.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.app.TestNodeApplication;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Issue 20, point 10: behind an app's filter that is not async-supported, the gossip servlet cannot wait for a
 * late body ({@code startAsync()} throws); each such request must still give back its place. 20 signed-looking
 * pushes whose body does not come with the headers, then a genuine push: taken. Before, each leaked its place and
 * after 16 every push was refused 503 for good.
 */
class NonAsyncFilterTest {

    @Test
    void aPushThatCannotGoAsyncGivesBackItsPlace() throws Exception {
        try (ConfigurableApplicationContext node = TestNodeApplication.start("test.blocking-filter=true",
                "cluster.metrics.gossip.secret=" + TrustBoundaryTest.SECRET)) {
            String base = TestNodeApplication.address(node);
            int port = Integer.parseInt(base.substring(base.lastIndexOf(':') + 1));
            Map<String, Integer> answers = new TreeMap<>();
            for (int i = 0; i < 20; i++) {
                try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
                    socket.setSoTimeout(15_000);
                    socket.getOutputStream().write(("POST /cluster-metrics/gossip HTTP/1.1\r\nHost: 127.0.0.1:" + port
                            + "\r\nContent-Type: application/json\r\nContent-Length: 100\r\nX-Cluster-Metrics-Timestamp: "
                            + System.currentTimeMillis() + "\r\nX-Cluster-Metrics-Signature: sha256=00\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    socket.getOutputStream().flush();
                    InputStream in = socket.getInputStream();
                    String status = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
                    answers.merge(status.length() == 12 ? status.substring(9) : "closed", 1, Integer::sum);
                }
            }
            // a genuine push, its body in the same write as its headers, as a peer's usually comes
            long now = System.currentTimeMillis();
            byte[] body = Attacker.sample("\"http://127.0.0.1:9\"", now, 0.5).getBytes(StandardCharsets.UTF_8);
            String genuine;
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
                socket.setSoTimeout(15_000);
                byte[] headers = ("POST /cluster-metrics/gossip HTTP/1.1\r\nHost: 127.0.0.1:" + port
                        + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                        + new GossipSignature(TrustBoundaryTest.SECRET).headers(now, "POST", "http://127.0.0.1:" + port,
                                "/cluster-metrics/gossip", null, body).entrySet().stream()
                                .map(h -> "\r\n" + h.getKey() + ": " + h.getValue()).collect(java.util.stream.Collectors.joining())
                        + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII);
                byte[] request = java.util.Arrays.copyOf(headers, headers.length + body.length);
                System.arraycopy(body, 0, request, headers.length, body.length);
                socket.getOutputStream().write(request);
                genuine = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII).substring(9);
            }
            System.out.printf("20 pushes behind a non-async filter answered %s; a genuine push then: %s%n", answers, genuine);
            assertThat(genuine).isEqualTo("200");
        }
    }
}
