package io.clustermetrics.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.example.app.TestNodeApplication;
import com.example.reactive.ReactiveApplication;
import io.clustermetrics.ClusterMetrics;
import java.io.IOException;
import java.io.InputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Issue 20, point 2: without a secret, the gossip endpoint takes loopback senders only, and a proxy's forwarding
 * headers must neither make a stranger "loopback" nor let a local proxy (a sidecar) relay strangers. Real requests
 * to servlet and reactive nodes without a secret; the store is unchanged after every refusal.
 */
class ForwardedHeadersTest {

    private static final String FORGED = "http://10.9.9.9:8080";
    private final HttpClient http = HttpClient.newHttpClient();

    /** A loopback request carrying any forwarding header is refused 403, push or pull; without one it is taken. */
    @ParameterizedTest
    @ValueSource(strings = {"servlet", "reactive"})
    void aForwardedRequestIsRefusedWithoutASecret(String stack) throws Exception {
        try (ConfigurableApplicationContext node = start(stack)) {
            String endpoint = TestNodeApplication.address(node) + "/cluster-metrics/gossip";
            ClusterMetrics metrics = node.getBean(ClusterMetrics.class);
            Map<String, String> forwarding = Map.of("Forwarded", "for=127.0.0.1", "X-Forwarded-For", "127.0.0.1",
                    "X-Forwarded-Host", "127.0.0.1", "X-Forwarded-Proto", "http", "X-Real-IP", "127.0.0.1");
            StringBuilder seen = new StringBuilder();
            for (Map.Entry<String, String> header : forwarding.entrySet()) {
                HttpResponse<String> push = http.send(HttpRequest.newBuilder(URI.create(endpoint))
                        .header("Content-Type", "application/json").header(header.getKey(), header.getValue())
                        .POST(HttpRequest.BodyPublishers.ofString(Attacker.sample("\"" + FORGED + "\"",
                                System.currentTimeMillis(), 0.5))).build(), HttpResponse.BodyHandlers.ofString());
                HttpResponse<String> pull = http.send(HttpRequest.newBuilder(URI.create(endpoint))
                        .header(header.getKey(), header.getValue()).build(), HttpResponse.BodyHandlers.ofString());
                seen.append(String.format("%s: push %d, pull %d; ", header.getKey(), push.statusCode(), pull.statusCode()));
                assertThat(push.statusCode()).as(header.getKey() + " push: " + push.body()).isEqualTo(403);
                assertThat(push.body()).contains("\"status\":403", "forward");
                assertThat(pull.statusCode()).as(header.getKey() + " pull: " + pull.body()).isEqualTo(403);
                assertThat(metrics.get(FORGED)).as("the store after a forwarded push").isEmpty();
            }
            System.out.println(stack + ", loopback with forwarding headers: " + seen);
            HttpResponse<String> plain = http.send(HttpRequest.newBuilder(URI.create(endpoint))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                            Attacker.sample("\"" + FORGED + "\"", System.currentTimeMillis(), 0.5))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(plain.statusCode()).as("a loopback push without forwarding headers").isEqualTo(200);
            assertThat(metrics.get(FORGED)).isPresent();
        }
    }

    /**
     * A stranger (a socket off loopback) that claims to be loopback in every forwarding header, to a node whose
     * server honours them ({@code server.forward-headers-strategy}): refused 403 as a stranger, because the node
     * judges the connection's own addresses. The node listens on this host's non-loopback address.
     */
    @ParameterizedTest(name = "{0}, forward-headers-strategy={1}")
    @CsvSource({"servlet, native", "servlet, framework", "reactive, native", "reactive, framework"})
    void aStrangerClaimingLoopbackInForwardingHeadersIsJudgedByTheSocket(String stack, String strategy) throws Exception {
        InetAddress external = externalAddress();
        assumeTrue(external != null, "this host has a non-loopback IPv4 address");
        try (ConfigurableApplicationContext node = start(stack, "server.address=" + external.getHostAddress(),
                "server.forward-headers-strategy=" + strategy)) {
            int port = Integer.parseInt(node.getEnvironment().getProperty("local.server.port"));
            String body = Attacker.sample("\"" + FORGED + "\"", System.currentTimeMillis(), 0.5);
            String request = "POST /cluster-metrics/gossip HTTP/1.1\r\nHost: 127.0.0.1:" + port
                    + "\r\nX-Forwarded-For: 127.0.0.1\r\nX-Forwarded-Host: 127.0.0.1:" + port
                    + "\r\nX-Forwarded-Proto: http\r\nForwarded: for=127.0.0.1;host=\"127.0.0.1:" + port + "\";proto=http"
                    + "\r\nX-Real-IP: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.getBytes(StandardCharsets.UTF_8).length + "\r\nConnection: close\r\n\r\n" + body;
            String answer;
            try (Socket socket = new Socket(external, port)) {
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
                answer = read(socket.getInputStream());
            }
            String status = answer.lines().findFirst().orElse("");
            System.out.printf("%s, %s: a stranger at %s claiming 127.0.0.1 got \"%s\" %s%n", stack, strategy,
                    external.getHostAddress(), status, answer.substring(answer.indexOf("\r\n\r\n") + 4));
            assertThat(status).as(answer).contains(" 403 ");
            assertThat(answer).contains("only loopback senders");
            assertThat(node.getBean(ClusterMetrics.class).get(FORGED)).as("the store").isEmpty();
        }
    }

    private static ConfigurableApplicationContext start(String stack, String... properties) {
        return stack.equals("servlet") ? TestNodeApplication.start(properties) : ReactiveApplication.start(properties);
    }

    private static String read(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    /** This host's first non-loopback IPv4 address that is up, or null. */
    static InetAddress externalAddress() throws SocketException {
        for (NetworkInterface nic : List.copyOf(java.util.Collections.list(NetworkInterface.getNetworkInterfaces()))) {
            if (nic.isUp() && !nic.isLoopback()) {
                for (InetAddress address : java.util.Collections.list(nic.getInetAddresses())) {
                    if (address instanceof Inet4Address && !address.isLoopbackAddress() && !address.isLinkLocalAddress()) {
                        return address;
                    }
                }
            }
        }
        return null;
    }
}
