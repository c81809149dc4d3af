package io.clustermetrics.autoconfigure;

import io.clustermetrics.wire.GossipCodec;
import io.clustermetrics.wire.GossipSignature;
import io.clustermetrics.GossipStatistics;
import io.clustermetrics.gossip.ClusterMetricsGossip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.example.app.TestNodeApplication;
import io.clustermetrics.ClusterMetrics;
import io.clustermetrics.NodeMetrics;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The gossip endpoint of a real node over real HTTP: what it accepts, what it refuses with which status and
 * reason, and that a refused message leaves the store exactly as it was.
 */
class GossipEndpointTest {

    private static final String SECRET = "correct horse battery staple";
    private static final String GOOD = """
            {"metrics":[{"address":"http://127.0.0.7:8080","timestamp":%d,"cpuLoad":0.25,"memoryUsed":1,"memoryMax":4,
            "systemLoadAverage":0.5,"processors":2}]}""";

    private static ConfigurableApplicationContext signed;
    private static ConfigurableApplicationContext open;
    private final HttpClient http = HttpClient.newHttpClient();
    private final JsonMapper json = JsonMapper.builder().build();
    private final GossipSignature signature = new GossipSignature(SECRET);

    /**
     * Lone nodes that sample themselves once, at start, and expire nothing during the test: whatever changes
     * in their store came through the endpoint.
     */
    @BeforeAll
    static void start() {
        signed = TestNodeApplication.start("cluster.metrics.gossip.secret=" + SECRET, "cluster.metrics.gossip.max-body-size=4KB",
                "cluster.metrics.probe.type=static", "cluster.metrics.sample-interval=1h", "cluster.metrics.ttl=1h");
        open = TestNodeApplication.start("server.forward-headers-strategy=native", "cluster.metrics.probe.type=static",
                "cluster.metrics.sample-interval=1h", "cluster.metrics.ttl=1h");
    }

    @AfterAll
    static void stop() {
        signed.close();
        open.close();
    }

    private static String url(ConfigurableApplicationContext node) {
        return TestNodeApplication.address(node) + "/cluster-metrics/gossip";
    }

    private HttpResponse<String> post(ConfigurableApplicationContext node, HttpRequest.BodyPublisher body, String... headers)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(node))).POST(body)
                .header("Content-Type", "application/json");
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> postSigned(byte[] body, long timestamp, GossipSignature key) throws Exception {
        return post(signed, HttpRequest.BodyPublishers.ofByteArray(body), signedHeaders(key, timestamp, body));
    }

    /** The headers of a push of {@code body} to the signed node, signed by {@code key} at {@code timestamp}. */
    private static String[] signedHeaders(GossipSignature key, long timestamp, byte[] body) {
        return key.headers(timestamp, "POST", TestNodeApplication.address(signed), "/cluster-metrics/gossip", null, body)
                .entrySet().stream().flatMap(e -> java.util.stream.Stream.of(e.getKey(), e.getValue())).toArray(String[]::new);
    }

    private HttpResponse<String> postSigned(String body) throws Exception {
        return postSigned(body.getBytes(StandardCharsets.UTF_8), System.currentTimeMillis(), signature);
    }

    /** Asserts the status, a problem-detail body naming {@code reason}, and an untouched store. */
    private void assertRefused(ConfigurableApplicationContext node, HttpResponse<String> response, int status, String reason) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).get().asString().startsWith("application/problem+json");
        JsonNode problem = json.readTree(response.body());
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("detail").asString()).containsIgnoringCase(reason);
        assertThat(response.body()).doesNotContain("Exception", "\tat ", SECRET);
    }

    private static List<NodeMetrics> store(ConfigurableApplicationContext node) {
        return node.getBean(ClusterMetrics.class).snapshot();
    }

    @Test
    void aSignedValidMessageIsMergedAndAnswered() throws Exception {
        HttpResponse<String> response = postSigned(GOOD.formatted(System.currentTimeMillis()));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json.readTree(response.body()).get("received").asInt()).isEqualTo(1);
        assertThat(signed.getBean(ClusterMetrics.class).get("http://127.0.0.7:8080")).map(NodeMetrics::cpuLoad).contains(0.25);
    }

    @Test
    void aSampleBeyondTheHorizonIsDroppedAndTheRestOfItsBatchTaken() throws Exception {
        long now = System.currentTimeMillis();
        String beyond = GOOD.formatted(now + 2 * 86_400_000L).replace("127.0.0.7", "127.0.0.8");
        String batch = GOOD.formatted(now).replace("}]}", "},") + beyond.substring(beyond.indexOf('[') + 1);
        HttpResponse<String> response = postSigned(batch);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(json.readTree(response.body()).get("received").asInt()).isEqualTo(1);
        assertThat(json.readTree(response.body()).get("dropped").asInt()).isEqualTo(1);
        assertThat(signed.getBean(ClusterMetrics.class).get("http://127.0.0.7:8080")).map(NodeMetrics::timestamp).contains(now);
        assertThat(signed.getBean(ClusterMetrics.class).get("http://127.0.0.8:8080")).isEmpty();
    }

    @Test
    void aSampleWithAnApplicationUtilizationKeepsItAndOneWithoutHasNone() throws Exception {
        long now = System.currentTimeMillis();
        assertThat(postSigned(GOOD.formatted(now).replace("}]}", ",\"utilization\":0.75}]}")).statusCode()).isEqualTo(200);
        assertThat(signed.getBean(ClusterMetrics.class).get("http://127.0.0.7:8080")).map(NodeMetrics::utilization).contains(0.75);
        assertThat(postSigned(GOOD.formatted(now + 1)).statusCode()).isEqualTo(200);
        assertThat(signed.getBean(ClusterMetrics.class).get("http://127.0.0.7:8080").orElseThrow().utilization())
                .as("an older node's sample, without the field").isNull();
    }

    @Test
    void unauthenticatedMessagesAreRefusedWith401AndChangeNothing() throws Exception {
        byte[] body = GOOD.formatted(System.currentTimeMillis() + 1_000_000).getBytes(StandardCharsets.UTF_8);
        List<NodeMetrics> before = store(signed);
        long refusedBefore = signed.getBean(GossipStatistics.class).refused();
        long now = System.currentTimeMillis();

        assertRefused(signed, post(signed, HttpRequest.BodyPublishers.ofByteArray(body)), 401, "timestamp");
        assertRefused(signed, post(signed, HttpRequest.BodyPublishers.ofByteArray(body),
                GossipSignature.TIMESTAMP_HEADER, Long.toString(now)), 401, "signature");
        assertRefused(signed, postSigned(body, now, new GossipSignature("wrong secret")), 401, "signature");
        byte[] tampered = body.clone();
        tampered[tampered.length - 3] = '3';
        assertRefused(signed, post(signed, HttpRequest.BodyPublishers.ofByteArray(tampered), signedHeaders(signature, now, body)),
                401, "signature");
        HttpResponse<String> replayed = postSigned(body, now - 120_000, signature);
        assertRefused(signed, replayed, 401, "replay");
        assertRefused(signed, postSigned(body, now + 120_000, signature), 401, "clock");
        // a validly signed message refused for its time learns the node's clock, to sign the next one in;
        // a forged one learns nothing
        long told = json.readTree(replayed.body()).get("now").asLong();
        assertThat(told).isBetween(now, System.currentTimeMillis());
        assertThat(replayed.headers().firstValue(GossipSignature.TIMESTAMP_HEADER)).hasValue(Long.toString(told));
        String refusedSignature = signature.headers(now - 120_000, "POST", TestNodeApplication.address(signed),
                "/cluster-metrics/gossip", null, body).get(GossipSignature.SIGNATURE_HEADER);
        assertThat(signature.verify(told, refusedSignature.getBytes(StandardCharsets.US_ASCII),
                replayed.headers().firstValue(GossipSignature.SIGNATURE_HEADER).orElseThrow()))
                .as("the clock is signed over the refused message's signature").isTrue();
        assertThat(json.readTree(postSigned(body, now - 120_000, new GossipSignature("wrong secret")).body()).has("now")).isFalse();

        assertThat(store(signed)).isEqualTo(before);
        assertThat(signed.getBean(GossipStatistics.class).refused() - refusedBefore).isEqualTo(7);
    }

    @Test
    void badInputIsRefusedWith400AndABatchAppliesWholeOrNotAtAll() throws Exception {
        long now = System.currentTimeMillis() + 2_000_000;
        List<NodeMetrics> before = store(signed);
        assertRefused(signed, postSigned("{\"metrics\":[{\"address\":"), 400, "end-of-input");
        assertRefused(signed, postSigned("not json"), 400, "unrecognized token");
        assertRefused(signed, postSigned("null"), 400, "metrics");
        assertRefused(signed, postSigned("{}"), 400, "metrics");
        assertRefused(signed, postSigned(GOOD.formatted(now).replace("0.25", "1.5")), 400, "cpuLoad");
        assertRefused(signed, postSigned(GOOD.formatted(now).replace("\"memoryUsed\":1", "\"memoryUsed\":-1")), 400, "memory");
        assertRefused(signed, postSigned(GOOD.formatted(now).replace("0.25", "NaN")), 400, "NaN");
        assertRefused(signed, postSigned(GOOD.formatted(now).replace("\"cpuLoad\":0.25", "\"cpuLoad\":\"high\"")), 400, "high");
        assertRefused(signed, postSigned(GOOD.formatted(now).replace("}]}", ",\"utilization\":1.01}]}")), 400, "utilization");
        assertRefused(signed, postSigned(GOOD.formatted(now).replace("}]}", ",\"utilization\":-0.5}]}")), 400, "utilization");
        assertRefused(signed, postSigned(GOOD.formatted(now).replace("}]}", ",\"utilization\":\"NaN\"}]}")), 400, "utilization");
        assertRefused(signed, postSigned(GOOD.formatted(now).replace("http://127.0.0.7:8080", " ")), 400, "address");
        // senders never send these: a node with an empty view does not gossip, and a view holds a node once
        assertRefused(signed, postSigned("{\"metrics\":[]}"), 400, "at least one sample");
        assertRefused(signed, postSigned(GOOD.formatted(now).replace("}]}", "}," + GOOD.formatted(now).substring(12))),
                400, "at most once");
        String goodThenBad = GOOD.formatted(now).replace("}]}", "},"
                + GOOD.formatted(now).substring(12).replace("127.0.0.7", "127.0.0.8").replace("0.25", "-3"));
        assertRefused(signed, postSigned(goodThenBad), 400, "cpuLoad");
        assertThat(store(signed)).as("the good sample of the bad batch was not applied").isEqualTo(before);
    }

    @Test
    void theSenderSplitsAViewIntoBodiesUnderTheLimitAndEachIsAccepted() throws Exception {
        GossipCodec codec = new GossipCodec();
        long now = System.currentTimeMillis();
        List<NodeMetrics> view = IntStream.range(0, 100)
                .mapToObj(i -> new NodeMetrics("http://127.0.1." + i + ":8080", now, 0.5, 1, 2)).toList();
        List<byte[]> bodies = codec.encode(view, 4096);
        assertThat(bodies).hasSizeGreaterThan(1).allSatisfy(b -> assertThat(b.length).isLessThanOrEqualTo(4096));
        assertThat(bodies.stream().mapToInt(b -> codec.decode(b).metrics().size()).sum()).isEqualTo(100);
        assertThat(codec.encode(List.of(), 4)).hasSize(1);
        for (byte[] body : bodies) {
            assertThat(postSigned(body, now, signature).statusCode()).isEqualTo(200);
        }
        assertThat(signed.getBean(ClusterMetrics.class).get("http://127.0.1.99:8080")).isPresent();
    }

    @Test
    void aBodyOverTheLimitIsRefusedWith413WithOrWithoutALength() throws Exception {
        List<NodeMetrics> before = store(signed);
        byte[] big = ("{\"metrics\":[],\"padding\":\"" + "x".repeat(5_000) + "\"}").getBytes(StandardCharsets.UTF_8);
        assertRefused(signed, postSigned(big, System.currentTimeMillis(), signature), 413, "larger than 4096 bytes");
        long now = System.currentTimeMillis();
        assertRefused(signed, post(signed, HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big)),
                signedHeaders(signature, now, big)),
                413, "larger than 4096 bytes");
        // cheap checks come before the body: an unsigned one is refused for its headers, whatever its size
        assertRefused(signed, post(signed, HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big))),
                401, "missing X-Cluster-Metrics-Timestamp");
        assertThat(store(signed)).isEqualTo(before);
    }

    @Test
    void withoutASecretOnlyLoopbackSendersAreAccepted() throws Exception {
        List<NodeMetrics> before = store(open);
        String body = GOOD.formatted(System.currentTimeMillis());
        // the node trusts a proxy on loopback to name the real client, as behind a reverse proxy
        assertRefused(open, post(open, HttpRequest.BodyPublishers.ofString(body), "X-Forwarded-For", "203.0.113.9"),
                403, "only loopback senders");
        assertThat(store(open)).isEqualTo(before);
        assertThat(post(open, HttpRequest.BodyPublishers.ofString(body)).statusCode()).isEqualTo(200);
        assertThat(open.getBean(ClusterMetrics.class).get("http://127.0.0.7:8080")).isPresent();
    }

    /**
     * A sender on another address of this machine, through a proxy it claims to be, names itself 127.0.0.1 in
     * {@code X-Forwarded-For}; the node trusts every proxy, so its remote address says loopback. The
     * connection's own address does not: refused. The node listens on every interface and gives itself this
     * host's address (not the loopback address the host name resolves to here), which the sender uses.
     */
    @Test
    void aForwardedHeaderDoesNotMakeAnOffLoopbackSenderLoopback() throws Exception {
        ConfigurableApplicationContext node = TestNodeApplication.start("server.address=0.0.0.0",
                "server.forward-headers-strategy=native", "server.tomcat.remoteip.internal-proxies=.*",
                "cluster.metrics.probe.type=static", "cluster.metrics.sample-interval=1h", "cluster.metrics.ttl=1h");
        try {
            URI self = URI.create(node.getBean(ClusterMetricsGossip.class).selfAddress());
            assumeThat(InetAddress.getByName(self.getHost()).isLoopbackAddress()).as("this machine has only loopback: " + self)
                    .isFalse();
            List<NodeMetrics> before = store(node);
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(self.resolve("/cluster-metrics/gossip"))
                    .header("Content-Type", "application/json").header("X-Forwarded-For", "127.0.0.1")
                    .POST(HttpRequest.BodyPublishers.ofString(GOOD.formatted(System.currentTimeMillis()))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertRefused(node, response, 403, "only loopback senders");
            assertThat(store(node)).isEqualTo(before);
        } finally {
            node.close();
        }
    }
}
