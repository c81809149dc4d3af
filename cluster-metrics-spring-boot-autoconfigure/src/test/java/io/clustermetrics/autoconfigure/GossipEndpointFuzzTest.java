package io.clustermetrics.autoconfigure;

import io.clustermetrics.wire.GossipSignature;
import static org.assertj.core.api.Assertions.assertThat;

import com.example.app.TestNodeApplication;
import io.clustermetrics.ClusterMetrics;
import io.clustermetrics.NodeMetrics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Thousands of generated messages against a real node's gossip endpoint over real HTTP: every one is either
 * accepted (200: validly signed and valid) or refused with a 4xx, never a 5xx or a stack trace; a refused
 * one leaves the store exactly as it was, and so does an accepted one sent again (a replay within the skew
 * window). Empty batches and batches naming a node twice are always refused.
 */
class GossipEndpointFuzzTest {

    private static final String SECRET = "fuzz-secret";
    private static final GossipSignature SIGNATURE = new GossipSignature(SECRET);
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static ConfigurableApplicationContext node;

    @BeforeContainer
    static void start() {
        node = TestNodeApplication.start("cluster.metrics.gossip.secret=" + SECRET, "cluster.metrics.gossip.max-body-size=16KB",
                "cluster.metrics.probe.type=static", "cluster.metrics.sample-interval=1h", "cluster.metrics.ttl=1h",
                "cluster.metrics.max-nodes=64",
                "logging.level.root=warn");
    }

    @AfterContainer
    static void stop() {
        node.close();
    }

    /** A message: the body, how it is signed, and whether the body is one no sender sends. */
    record Message(String body, Signing signing, boolean mustBeRefused) {}

    /** Ways to sign, right and wrong. */
    enum Signing { VALID, NONE, NO_TIMESTAMP, WRONG_KEY, REPLAYED, FUTURE, GARBLED_TIMESTAMP }

    @Property(tries = 2_000)
    void everyMessageIsAcceptedOrRefusedCleanly(@ForAll("messages") Message message) throws Exception {
        ClusterMetrics store = node.getBean(ClusterMetrics.class);
        List<NodeMetrics> before = store.snapshot();
        byte[] body = message.body().getBytes(StandardCharsets.UTF_8);
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(TestNodeApplication.address(node) + "/cluster-metrics/gossip"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).header("Content-Type", "application/json");
        long now = System.currentTimeMillis();
        switch (message.signing()) {
            case VALID -> sign(request, now, body, SIGNATURE, node);
            case NONE -> { }
            case NO_TIMESTAMP -> request.header(GossipSignature.SIGNATURE_HEADER, SIGNATURE.sign(now, body));
            case WRONG_KEY -> sign(request, now, body, new GossipSignature("not the secret"), node);
            case REPLAYED -> sign(request, now - 3_600_000, body, SIGNATURE, node);
            case FUTURE -> sign(request, now + 3_600_000, body, SIGNATURE, node);
            case GARBLED_TIMESTAMP -> request.header(GossipSignature.TIMESTAMP_HEADER, "12abc")
                    .header(GossipSignature.SIGNATURE_HEADER, SIGNATURE.sign(now, body));
        }
        HttpResponse<String> response;
        try {
            response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException reset) {
            // a request refused before its body is read (no signature headers, or a declared length over the limit)
            // has its connection closed, not drained: a client still writing its body may see it reset first
            assertThat(message.signing() == Signing.NONE || message.signing() == Signing.NO_TIMESTAMP || body.length > 16 * 1024)
                    .as("only a request refused before its body is read is cut off: " + reset).isTrue();
            assertThat(store.snapshot()).isEqualTo(before);
            return;
        }

        assertThat(response.statusCode()).as(response.body()).isIn(200, 400, 401, 413);
        assertThat(response.body()).doesNotContain("Exception", "\tat ", SECRET);
        if (message.signing() != Signing.VALID) {
            assertThat(response.statusCode()).isIn(401, 413);
        }
        if (message.mustBeRefused()) {
            assertThat(response.statusCode()).as(response.body()).isNotEqualTo(200);
        }
        if (response.statusCode() != 200) {
            assertThat(store.snapshot()).isEqualTo(before);
        } else { // the same message replayed within the skew window is refused, and changes nothing
            List<NodeMetrics> after = store.snapshot();
            HttpResponse<String> replayed = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            assertThat(replayed.statusCode()).isEqualTo(401);
            assertThat(replayed.body()).contains("replay");
            assertThat(store.snapshot()).isEqualTo(after);
        }
        assertThat(store.snapshot()).hasSizeLessThanOrEqualTo(64);
        // a sample beyond the horizon is dropped, the rest of its message taken
        assertThat(store.snapshot()).allMatch(m -> m.timestamp() <= System.currentTimeMillis() + 86_400_000L);
    }

    private static void sign(HttpRequest.Builder request, long timestamp, byte[] body, GossipSignature key,
            ConfigurableApplicationContext node) {
        key.headers(timestamp, "POST", TestNodeApplication.address(node), "/cluster-metrics/gossip", null, body)
                .forEach(request::header);
    }

    @Provide
    Arbitrary<Message> messages() {
        return Combinators.combine(bodies(), Arbitraries.frequencyOf(
                        Tuple.of(6, Arbitraries.just(Signing.VALID)),
                        Tuple.of(4, Arbitraries.of(Signing.class))))
                .as((body, signing) -> new Message(body.get1(), signing, body.get2()));
    }

    /**
     * Bodies, each with whether it must be refused whatever it holds: empty batches, duplicated nodes (in any
     * spelling) and hostile addresses. Timestamps beyond the horizon are among the others: their samples are dropped.
     */
    private static Arbitrary<Tuple.Tuple2<String, Boolean>> bodies() {
        Arbitrary<String> address = Arbitraries.oneOf(
                Arbitraries.integers().between(1, 80).map(i -> "\"http://127.9.0." + i + ":8080\""),
                Arbitraries.just("\"\""), Arbitraries.just("\" \""), Arbitraries.just("null"), Arbitraries.just("42"),
                Arbitraries.strings().ofMaxLength(40).map(s -> "\"" + s.replace("\\", "").replace("\"", "") + "\""),
                Arbitraries.just("\"" + "a".repeat(20_000) + "\""));
        Arbitrary<String> number = Arbitraries.oneOf(
                Arbitraries.doubles().between(-2, 2).map(Object::toString),
                Arbitraries.longs().map(Object::toString),
                Arbitraries.of("NaN", "Infinity", "-Infinity", "1e400", "-1e400", "99999999999999999999999999",
                        "\"0.5\"", "true", "null", "[]", "{}", "0x10", "-0", "1.0e-400"));
        Arbitrary<String> sample = Combinators.combine(address, number, number, number, number, number, number)
                .as((a, t, cpu, used, max, load, cpus) -> "{\"address\":" + a + ",\"timestamp\":" + t + ",\"cpuLoad\":" + cpu
                        + ",\"memoryUsed\":" + used + ",\"memoryMax\":" + max + ",\"systemLoadAverage\":" + load
                        + ",\"processors\":" + cpus + "}");
        Arbitrary<String> batch = sample.list().ofMaxSize(6).map(samples -> "{\"metrics\":[" + String.join(",", samples) + "]}");
        Arbitrary<String> duplicated = sample.map(s -> "{\"metrics\":[" + s + "," + s + "]}");
        Arbitrary<String> empty = Arbitraries.of("{\"metrics\":[]}", "{\"metrics\":[],\"extra\":1}");
        Arbitrary<String> unknownFields = batch.map(b -> b.replaceFirst("\\{", "{\"extra\":{\"x\":[1,2]},\"v\":2,"));
        Arbitrary<String> truncated = batch.flatMap(b -> Arbitraries.integers().between(0, b.length()).map(i -> b.substring(0, i)));
        Arbitrary<String> deep = Arbitraries.integers().between(1, 5_000).map(d -> "{\"metrics\":" + "[".repeat(d) + "]".repeat(d) + "}");
        Arbitrary<String> wrongShape = Arbitraries.of("", "null", "[]", "42", "\"text\"", "{\"metrics\":{}}", "{\"metrics\":null}",
                "{\"metrics\":[null]}", "{\"metrics\":[[]]}", "{}", "{\"metrics\":[]}{}", "\u0000\u0001");
        Arbitrary<String> garbage = Arbitraries.strings().ofMaxLength(300);
        // addresses that would choose a path, query, fragment or user, forge a log line, or spell one node twice;
        // timestamps that would win for ever: always refused, whatever else the message holds
        Arbitrary<String> hostileAddress = Combinators.combine(Arbitraries.integers().between(1, 80), Arbitraries.of(
                        "/admin/delete?confirm=yes&x=", "?q=1", "#frag", "/x", " ", "\r\nX-Forged: 1", "\u0000", "\u001b[31m",
                        "/" + "a".repeat(300)))
                .as((i, tail) -> "\"http://127.9.0." + i + ":8080" + tail + "\"");
        Arbitrary<String> userInfo = Arbitraries.integers().between(1, 80).map(i -> "\"http://u:p@127.9.0." + i + ":8080\"");
        Arbitrary<String> hostile = Combinators.combine(Arbitraries.oneOf(hostileAddress, userInfo), number)
                .as((a, n) -> "{\"metrics\":[{\"address\":" + a + ",\"timestamp\":1,\"cpuLoad\":0.5,\"memoryUsed\":1,"
                        + "\"memoryMax\":2,\"systemLoadAverage\":-1,\"processors\":0}]}");
        Arbitrary<String> farFuture = Arbitraries.of(Long.MAX_VALUE, 32_503_680_000_000L, System.currentTimeMillis() + 172_800_000L)
                .map(t -> "{\"metrics\":[{\"address\":\"http://127.9.0.1:8080\",\"timestamp\":" + t + ",\"cpuLoad\":0.5,"
                        + "\"memoryUsed\":1,\"memoryMax\":2,\"systemLoadAverage\":-1,\"processors\":0}]}");
        Arbitrary<String> twoSpellings = Arbitraries.integers().between(1, 80).map(i -> "{\"metrics\":["
                + "{\"address\":\"HTTP://127.9.0." + i + ":8080\",\"timestamp\":1,\"cpuLoad\":0.5,\"memoryUsed\":1,\"memoryMax\":2,"
                + "\"systemLoadAverage\":-1,\"processors\":0},{\"address\":\"http://127.9.0." + i + ":8080/\",\"timestamp\":1,"
                + "\"cpuLoad\":0.5,\"memoryUsed\":1,\"memoryMax\":2,\"systemLoadAverage\":-1,\"processors\":0}]}");
        return Arbitraries.oneOf(
                Arbitraries.oneOf(batch, batch, unknownFields, truncated, deep, wrongShape, garbage, farFuture).map(b -> Tuple.of(b, false)),
                Arbitraries.oneOf(duplicated, empty, hostile, twoSpellings).map(b -> Tuple.of(b, true)));
    }
}
