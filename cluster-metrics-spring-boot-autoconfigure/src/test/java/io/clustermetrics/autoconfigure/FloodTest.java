package io.clustermetrics.autoconfigure;

import io.clustermetrics.wire.GossipCodec;
import io.clustermetrics.wire.GossipSignature;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.example.app.TestNodeApplication;
import io.clustermetrics.ClusterMetrics;
import io.clustermetrics.NodeMetrics;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A validly signed flood of samples for 100,000 invented nodes into one node of a real three-node cluster.
 * The store is full at {@code max-nodes}; a full store drops new addresses, so the genuine peers, known and
 * live before the flood, keep their place.
 */
class FloodTest {

    private static final String SECRET = "flood-secret";
    private ConfigurableApplicationContext a;
    private ConfigurableApplicationContext b;
    private ConfigurableApplicationContext c;

    @AfterEach
    void close() {
        Stream.of(a, b, c).filter(Objects::nonNull).forEach(ConfigurableApplicationContext::close);
    }

    private static long heapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    @Test
    void oneHundredThousandInventedNodesNeverPushOutTheGenuinePeers() throws Exception {
        String[] common = {"cluster.metrics.gossip.secret=" + SECRET, "cluster.metrics.max-nodes=50"};
        a = TestNodeApplication.start(common);
        b = TestNodeApplication.start(Stream.concat(Stream.of(common),
                Stream.of("cluster.metrics.gossip.peers=" + TestNodeApplication.address(a))).toArray(String[]::new));
        c = TestNodeApplication.start(Stream.concat(Stream.of(common),
                Stream.of("cluster.metrics.gossip.peers=" + TestNodeApplication.address(a))).toArray(String[]::new));
        List<String> genuine = Stream.of(a, b, c).map(TestNodeApplication::address).toList();
        ClusterMetrics store = a.getBean(ClusterMetrics.class);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(store.snapshot())
                .extracting(NodeMetrics::address).containsExactlyInAnyOrderElementsOf(genuine));
        long heapBefore = heapAfterGc();

        GossipCodec codec = new GossipCodec();
        GossipSignature signature = new GossipSignature(SECRET);
        HttpClient http = HttpClient.newHttpClient();
        URI endpoint = URI.create(genuine.get(0) + "/cluster-metrics/gossip");
        int invented = 100_000;
        int batch = 250;
        int maxTracked = 0;
        for (int first = 0; first < invented; first += batch) {
            long now = System.currentTimeMillis();
            List<NodeMetrics> samples = IntStream.range(first, first + batch)
                    .mapToObj(i -> new NodeMetrics("http://127." + (i >> 16) + "." + ((i >> 8) & 255) + "." + (i & 255) + ":8080",
                            now, 0.0, 0, 1))
                    .toList();
            byte[] body = codec.encode(samples, Long.MAX_VALUE).get(0);
            HttpRequest.Builder push = HttpRequest.newBuilder(endpoint).POST(HttpRequest.BodyPublishers.ofByteArray(body));
            signature.headers(now, "POST", genuine.get(0), "/cluster-metrics/gossip", null, body).forEach(push::header);
            HttpResponse<Void> response = http.send(push.build(), HttpResponse.BodyHandlers.discarding());
            assertThat(response.statusCode()).isEqualTo(200);
            maxTracked = Math.max(maxTracked, store.nodeCount());
            assertThat(store.snapshot()).extracting(NodeMetrics::address).containsAll(genuine);
        }
        long heapAfter = heapAfterGc();
        System.out.printf("flood of %d invented nodes: at most %d tracked; heap after GC %d MB before, %d MB after%n",
                invented, maxTracked, heapBefore >> 20, heapAfter >> 20);

        assertThat(maxTracked).isLessThanOrEqualTo(50);
        for (ConfigurableApplicationContext node : List.of(a, b, c)) {
            assertThat(node.getBean(ClusterMetrics.class).nodeCount()).as("relayed floods are bounded too").isLessThanOrEqualTo(50);
            assertThat(node.getBean(ClusterMetrics.class).snapshot()).extracting(NodeMetrics::address).containsAll(genuine);
        }
        assertThat(heapAfter - heapBefore).as("heap growth, bytes").isLessThan(64L << 20);
    }
}
