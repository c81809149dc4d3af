package io.clustermetrics.autoconfigure;

import io.clustermetrics.GossipStatistics;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.example.app.TestNodeApplication;
import io.clustermetrics.ClusterMetrics;
import io.clustermetrics.NodeMetrics;
import io.clustermetrics.WeightedRoutees;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Three real Spring Boot apps on loopback ports, gossiping over real HTTP. */
@ExtendWith(OutputCaptureExtension.class)
class GossipClusterTest {

    private final HttpClient http = HttpClient.newHttpClient();
    private final JsonMapper json = JsonMapper.builder().build();
    private ConfigurableApplicationContext a;
    private ConfigurableApplicationContext b;
    private ConfigurableApplicationContext c;

    @AfterEach
    void close() {
        Stream.of(a, b, c).filter(Objects::nonNull).forEach(ConfigurableApplicationContext::close);
    }

    private static List<String> view(ConfigurableApplicationContext node) {
        return node.getBean(ClusterMetrics.class).snapshot().stream().map(NodeMetrics::address).toList();
    }

    private JsonNode get(String url) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(url).isEqualTo(200);
        return json.readTree(response.body());
    }

    @Test
    void everyNodeLearnsTheWholeClusterAndAClosedNodeLeavesWithinItsTtl() throws Exception {
        // a lists nobody, b lists a, c lists b: c learns of a, and a of c, only through gossip
        a = TestNodeApplication.start("cluster.metrics.probe.type=static", "cluster.metrics.probe.static.cpu-load=0.1",
                "cluster.metrics.probe.static.memory-used=1", "cluster.metrics.probe.static.memory-max=4");
        b = TestNodeApplication.start("cluster.metrics.gossip.peers=" + TestNodeApplication.address(a));
        c = TestNodeApplication.start("cluster.metrics.gossip.peers=" + TestNodeApplication.address(b));
        List<String> all = List.of(TestNodeApplication.address(a), TestNodeApplication.address(b), TestNodeApplication.address(c));

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> List.of(a, b, c)
                .forEach(node -> assertThat(view(node)).containsExactlyInAnyOrderElementsOf(all)));

        JsonNode fromC = get(all.get(2) + "/actuator/clustermetrics");
        assertThat(fromC.get("self").asString()).isEqualTo(all.get(2));
        assertThat(fromC.get("selector").asString()).isEqualTo("cpu-and-utilization");
        assertThat(fromC.get("nodes")).extracting(n -> n.get("address").asString()).containsExactlyElementsOf(all.stream().sorted().toList());
        // servers refuse an encoded slash (%2F): the address is encoded but for its slashes, or given without scheme
        String encoded = URLEncoder.encode(all.get(0), StandardCharsets.UTF_8).replace("%2F", "/");
        JsonNode aSeenFromC = get(all.get(2) + "/actuator/clustermetrics/" + encoded);
        assertThat(aSeenFromC.get("address").asString()).isEqualTo(all.get(0));
        String withoutScheme = all.get(0).substring("http://".length());
        assertThat(get(all.get(2) + "/actuator/clustermetrics/" + withoutScheme).get("address").asString()).isEqualTo(all.get(0));
        assertThat(http.send(HttpRequest.newBuilder(URI.create(all.get(2) + "/actuator/clustermetrics/127.0.0.1:1")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(404);
        assertThat(aSeenFromC.get("cpuLoad").asDouble()).isEqualTo(0.1);
        assertThat(aSeenFromC.get("memoryUsage").asDouble()).isEqualTo(0.25);
        assertThat(aSeenFromC.get("weight").asDouble()).as("cpu-and-utilization, the default selector, is cpu without a utilization").isEqualTo(0.9);
        assertThat(aSeenFromC.get("ageMillis").asLong()).isBetween(0L, 2_000L);

        JsonNode health = get(all.get(0) + "/actuator/health").get("components").get("clusterMetrics");
        assertThat(health.get("status").asString()).isEqualTo("UP");
        assertThat(health.get("details").get("nodes").asInt()).isEqualTo(3);
        assertThat(health.get("details").get("self").asString()).isEqualTo(all.get(0));
        HttpResponse<String> prometheus = http.send(HttpRequest.newBuilder(URI.create(all.get(1) + "/actuator/prometheus")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(prometheus.body())
                .contains("cluster_metrics_node_cpu_load{node=\"" + all.get(0) + "\"} 0.1")
                .contains("cluster_metrics_node_memory_usage{node=\"" + all.get(0) + "\"} 0.25")
                .contains("cluster_metrics_node_weight{node=\"" + all.get(2) + "\"}")
                .containsPattern("cluster_metrics_gossip_messages_total\\{outcome=\"sent\"\\} [1-9]")
                .containsPattern("cluster_metrics_gossip_messages_total\\{outcome=\"received\"\\} [1-9]")
                .containsPattern("cluster_metrics_gossip_round_seconds_count [1-9]")
                // each push observed, as the app's ObservationRegistry turns observations into timers
                .containsPattern("cluster_metrics_gossip_push_seconds_count\\{[^}]*\\} [1-9]")
                .contains("cluster_metrics_gossip_messages_total{outcome=\"refused\"} 0.0");

        c.close();
        long closedAt = System.nanoTime();
        WeightedRoutees routees = a.getBean(WeightedRoutees.class);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(view(a)).containsExactlyInAnyOrder(all.get(0), all.get(1));
            assertThat(view(b)).containsExactlyInAnyOrder(all.get(0), all.get(1));
        });
        System.out.printf("c left both views %d ms after it closed (ttl 2 s)%n", (System.nanoTime() - closedAt) / 1_000_000);
        // no zombie: c stays gone although a and b may still hold its last sample as a tombstone
        for (int i = 0; i < 1_000; i++) {
            assertThat(routees.pick(all)).isNotEqualTo(Optional.of(all.get(2)));
        }
        Thread.sleep(1_000);
        assertThat(view(a)).doesNotContain(all.get(2));
    }

    @Test
    void aDeadPeerIsNamedInHealthAndWarnedAboutOnce(CapturedOutput output) throws Exception {
        a = TestNodeApplication.start("cluster.metrics.gossip.peers=http://127.0.0.1:1");
        String self = TestNodeApplication.address(a);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode health = get(self + "/actuator/health").get("components").get("clusterMetrics");
            assertThat(health.get("status").asString()).isEqualTo("UNKNOWN");
            assertThat(health.get("details").get("unansweredPeers")).extracting(JsonNode::asString)
                    .containsExactly("http://127.0.0.1:1");
            assertThat(a.getBean(GossipStatistics.class).failed()).isGreaterThanOrEqualTo(2);
        });
        assertThat(output.getAll().split("http://127.0.0.1:1 does not answer gossip", -1)).hasSize(2);
    }
}
