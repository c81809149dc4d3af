package io.clustermetrics.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.example.app.TestNodeApplication;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Application-reported utilization between real nodes: a worker pool's Micrometer gauges read as the node's
 * utilization, gossiped, shown and weighed by a peer; and the clear failures of a gauge that does not exist and
 * of a value out of range.
 */
class UtilizationGossipTest {

    private static final String STATIC = "cluster.metrics.probe.type=static";
    private final HttpClient http = HttpClient.newHttpClient();
    private ConfigurableApplicationContext pooled;
    private ConfigurableApplicationContext peer;

    @AfterEach
    void stop() {
        java.util.stream.Stream.of(pooled, peer).filter(java.util.Objects::nonNull).forEach(ConfigurableApplicationContext::close);
    }

    private JsonNode get(String url) throws Exception {
        return JsonMapper.builder().build().readTree(
                http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body());
    }

    private JsonNode node(ConfigurableApplicationContext from, String address) throws Exception {
        for (JsonNode n : get(TestNodeApplication.address(from) + "/actuator/clustermetrics").get("nodes")) {
            if (n.get("address").asString().equals(address)) {
                return n;
            }
        }
        return null;
    }

    @Test
    void aBusyWorkerPoolIsSeenByItsPeerAndWeighsItsNodeDown() throws Exception {
        pooled = TestNodeApplication.start(STATIC, "cluster.metrics.probe.static.cpu-load=0.1", "test.work-pool=2",
                "test.work-delay-ms=2500", "cluster.metrics.probe.utilization.meter=executor.active",
                "cluster.metrics.probe.utilization.capacity-meter=executor.pool.max",
                "cluster.metrics.probe.utilization.tags.name=work");
        String a = TestNodeApplication.address(pooled);
        peer = TestNodeApplication.start(STATIC, "cluster.metrics.probe.static.cpu-load=0.1", "cluster.metrics.gossip.peers=" + a);
        String b = TestNodeApplication.address(peer);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode seen = node(peer, a);
            assertThat(seen).isNotNull();
            assertThat(seen.get("utilization").asDouble()).isZero();
            assertThat(seen.get("weight").asDouble()).isEqualTo(0.9);
        });
        assertThat(node(peer, b).get("utilization").isNull()).as("the peer reports none").isTrue();

        // both workers busy for 2.5 s: the pool's utilization, smoothed over 400 ms half-lives, nears 1
        List<CompletableFuture<HttpResponse<String>>> calls = IntStream.range(0, 2).mapToObj(i -> http.sendAsync(
                HttpRequest.newBuilder(URI.create(a + "/work")).build(), HttpResponse.BodyHandlers.ofString())).toList();
        await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> {
            JsonNode seen = node(peer, a);
            assertThat(seen.get("utilization").asDouble()).isGreaterThan(0.6);
            assertThat(seen.get("weight").asDouble()).as("cpu-and-utilization: the pool is the scarcer").isLessThan(0.4);
        });
        // every scrape, also those during a gossip round, has the row: rows are kept and read when scraped
        for (int scrape = 0; scrape < 20; scrape++) {
            assertThat(http.send(HttpRequest.newBuilder(URI.create(b + "/actuator/prometheus")).build(),
                    HttpResponse.BodyHandlers.ofString()).body())
                    .contains("cluster_metrics_node_utilization{node=\"" + a + "\"}")
                    .doesNotContain("cluster_metrics_node_utilization{node=\"" + b + "\"}");
            Thread.sleep(50);
        }
        calls.forEach(CompletableFuture::join);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(node(peer, a).get("utilization").asDouble()).isLessThan(0.2));
    }

    @Test
    void aReactivePeerTakesTheUtilizationThroughItsOwnEndpointAndWeighsIt() throws Exception {
        pooled = TestNodeApplication.start(STATIC, "cluster.metrics.probe.static.cpu-load=0.1", "test.utilization=0.75");
        String a = TestNodeApplication.address(pooled);
        peer = com.example.reactive.ReactiveApplication.start(STATIC, "cluster.metrics.probe.static.cpu-load=0.1",
                "cluster.metrics.gossip.peers=" + a);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode seen = node(peer, a);
            assertThat(seen).isNotNull();
            assertThat(seen.get("utilization").asDouble()).isEqualTo(0.75);
            assertThat(seen.get("weight").asDouble()).as("cpu-and-utilization: the app's 0.75 is the scarcer").isEqualTo(0.25);
        });
        // and the servlet node learned the reactive one's sample, pushed to it, without a utilization
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode seen = node(pooled, TestNodeApplication.address(peer));
            assertThat(seen).isNotNull();
            assertThat(seen.get("utilization").isNull()).isTrue();
        });
    }

    @Test
    void aGaugeThatDoesNotExistStopsTheAppWithThePropertyAndTheReason() {
        assertThatThrownBy(() -> pooled = TestNodeApplication.start("cluster.metrics.probe.utilization.meter=no.such.gauge"))
                .isInstanceOf(InvalidConfigurationPropertyValueException.class)
                .hasMessageContaining("cluster.metrics.probe.utilization.meter")
                .hasMessageContaining("There is no gauge no.such.gauge in the MeterRegistry");
    }

    @Test
    void anOutOfRangeUtilizationIsAFailingProbeNotASilentZero() throws Exception {
        pooled = TestNodeApplication.start(STATIC, "test.utilization=NaN");
        String a = TestNodeApplication.address(pooled);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(get(a + "/actuator/health").toString())
                .contains("utilization must be within [0, 1], was NaN"));
        // a metrics problem, not an outage: the component says so, the app's health stays UP (no restart, no 503)
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(a + "/actuator/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        JsonNode body = JsonMapper.builder().build().readTree(health.body());
        assertThat(body.get("status").asString()).isEqualTo("UP");
        assertThat(body.at("/components/clusterMetrics/status").asString()).isEqualTo("DEGRADED");
        assertThat(node(pooled, a)).as("no sample with a made-up utilization").isNull();
    }
}
