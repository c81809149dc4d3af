package io.clustermetrics.benchmarks;

import io.clustermetrics.MetricsPdu;
import io.clustermetrics.NodeMetrics;
import io.clustermetrics.wire.GossipCodec;
import io.clustermetrics.wire.GossipSignature;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The CPU work the gossip endpoint does per message, without HTTP: decoding a three-sample batch
 * ({@link GossipCodec#decode}) and, when a secret is set, checking its HMAC-SHA256 signature
 * ({@link GossipSignature#verify}) over what a request signs since issue 20 (method, target, path, service and
 * body, {@link GossipSignature#request}); {@code sign} is the sender's side, its four headers. {@code verifyBodyOnly}
 * is the check before issue 20, over the body alone, for a comparison within one run. The body is the one the load
 * test posts, encoded by the real codec.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class GossipMessageBenchmark {

    private final GossipCodec codec = new GossipCodec();
    private final GossipSignature signature = new GossipSignature("bench-secret-0123456789");
    private byte[] body;
    private String signed;
    private final long timestamp = 1_700_000_000_000L;
    private static final String TARGET = "http://127.0.0.1:8081";
    private static final String PATH = "/cluster-metrics/gossip";
    private String signedBodyOnly;

    /** Encodes a batch of three nodes' samples and signs it once. */
    @Setup
    public void setUp() {
        List<NodeMetrics> samples = List.of(
                new NodeMetrics("http://127.0.0.1:8081", 1, 0.25, 100_000_000L, 268_435_456L, 0.5, 2),
                new NodeMetrics("http://127.0.0.1:8082", 1, 0.50, 120_000_000L, 268_435_456L, 0.5, 2),
                new NodeMetrics("http://127.0.0.1:8083", 1, 0.75, 140_000_000L, 268_435_456L, 0.5, 2));
        body = codec.encode(samples, 65_536).get(0);
        signed = sign().get(GossipSignature.SIGNATURE_HEADER);
        signedBodyOnly = signature.sign(timestamp, body);
    }

    /** Decoding and validating the batch, as the endpoint does for every message. */
    @Benchmark
    public MetricsPdu.PushBatch decode() {
        return codec.decode(body);
    }

    /** Signing the batch, as a sender does with a secret set. */
    @Benchmark
    public java.util.Map<String, String> sign() {
        return signature.headers(timestamp, "POST", TARGET, PATH, "orders", body);
    }

    /** Checking the signature, as the endpoint does with a secret set. */
    @Benchmark
    public boolean verify() {
        return signature.verify(timestamp, GossipSignature.request("POST", TARGET, PATH, "orders", body), signed);
    }

    /** Checking a signature over the body alone, as the endpoint did before issue 20. */
    @Benchmark
    public boolean verifyBodyOnly() {
        return signature.verify(timestamp, body, signedBodyOnly);
    }

    /** Prints the body, for the load test's Lua script. */
    public static void main(String[] args) {
        GossipMessageBenchmark b = new GossipMessageBenchmark();
        b.setUp();
        System.out.println(new String(b.body, java.nio.charset.StandardCharsets.UTF_8));
    }
}
