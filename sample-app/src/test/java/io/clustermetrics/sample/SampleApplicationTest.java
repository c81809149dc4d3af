package io.clustermetrics.sample;

import static org.awaitility.Awaitility.await;
import java.time.Duration;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import io.clustermetrics.cloud.ClusterMetricsLoadBalancer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.cloud.loadbalancer.support.LoadBalancerClientFactory;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One node alone, in this JVM, its only peer itself: the dashboard's files, the demo API and the actuator
 * endpoints answer.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT, properties = "spring.jmx.enabled=false")
class SampleApplicationTest {

    private static final int PORT = freePort();
    private static final String SELF = "http://127.0.0.1:" + PORT;
    /** Where no gateway listens: the port was free a moment ago and nothing here binds it. */
    private static final String NO_GATEWAY = "http://127.0.0.1:" + freePort();

    private final HttpClient http = HttpClient.newHttpClient();
    private final JsonMapper json = JsonMapper.builder().build();

    @DynamicPropertySource
    static void port(DynamicPropertyRegistry registry) {
        registry.add("server.port", () -> PORT);
        registry.add("cluster.metrics.gossip.peers", () -> SELF);
        registry.add("sample.gateway-url", () -> NO_GATEWAY);
    }

    @Autowired
    LoadBalancerClientFactory loadBalancers;

    @Test
    void servesTheDashboardWithItsChartLibraryFromTheJar() throws Exception {
        assertThat(get("/").body()).contains("<title>cluster-metrics: sample cluster</title>", "/app.js", "uPlot");
        assertThat(get("/app.js").statusCode()).isEqualTo(200);
        assertThat(get("/app.css").statusCode()).isEqualTo(200);
        HttpResponse<String> uplot = get("/webjars/uplot/dist/uPlot.iife.min.js");
        assertThat(uplot.statusCode()).isEqualTo(200);
        assertThat(uplot.body()).contains("uPlot");
        assertThat(get("/webjars/uplot/dist/uPlot.min.css").statusCode()).isEqualTo(200);
    }

    @Test
    void dispatchesWorkThroughTheBalancerAndCountsIt() throws Exception {
        JsonNode work = json.readTree(get("/work").body());
        assertThat(work.get("servedBy").asString()).isEqualTo(SELF);
        assertThat(work.get("dispatchedBy").asString()).isEqualTo(SELF);
        assertThat(work.get("cpuMillis").asDouble()).isPositive();

        Thread.sleep(1_000); // the stats show whole seconds only
        JsonNode stats = json.readTree(get("/work/stats").body());
        assertThat(stats.get("self").asString()).isEqualTo(SELF);
        assertThat(stats.get("counts").get(SELF).size()).isEqualTo(WorkService.WINDOW_SECONDS);
        assertThat(stats.get("counts").get(SELF).valueStream().mapToLong(JsonNode::asLong).sum()).isPositive();
    }

    @Test
    void dispatchesWorkThroughSpringCloudLoadBalancerRoutedByClusterMetrics() throws Exception {
        assertThat(loadBalancers.getInstance(PeerInstances.SERVICE)).isInstanceOf(ClusterMetricsLoadBalancer.class);
        JsonNode work = json.readTree(get("/work?via=loadbalancer").body());
        assertThat(work.get("servedBy").asString()).isEqualTo(SELF);
        assertThat(work.get("dispatchedBy").asString()).isEqualTo(SELF);
        assertThat(get("/work?via=elsewhere").statusCode()).isEqualTo(400);
    }

    @Test
    void answers502ThroughAGatewayThatDoesNotRun() throws Exception {
        HttpResponse<String> response = get("/work?via=gateway");
        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(json.readTree(response.body()).get("detail").asString()).contains(NO_GATEWAY + "/work/local");
    }

    @Test
    void stressesThisNodeButNoUnknownOne() throws Exception {
        HttpResponse<String> here = post("/stress?seconds=1");
        assertThat(here.statusCode()).isEqualTo(200);
        assertThat(json.readTree(here.body()).get("node").asString()).isEqualTo(SELF);
        assertThat(post("/stress?seconds=1&node=http://127.0.0.1:1").statusCode()).isEqualTo(404);
        assertThat(post("/stress?seconds=0").statusCode()).isEqualTo(400);
    }

    @Test
    void exposesClusterMetricsHealthAndPrometheus() throws Exception {
        JsonNode view = json.readTree(get("/actuator/clustermetrics").body());
        assertThat(view.get("self").asString()).isEqualTo(SELF);
        assertThat(view.get("selector").asString()).isEqualTo("cpu-and-utilization");
        assertThat(get("/actuator/health").statusCode()).isEqualTo(200);
        assertThat(get("/actuator/prometheus").body()).contains("cluster_metrics_gossip_messages_total{outcome=\"sent\"}",
                "cluster_metrics_gossip_round_seconds_count",
                "executor_active_threads{name=\"work\"}");
        get("/work/local");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(
                json.readTree(get("/actuator/clustermetrics").body()).get("nodes").get(0).get("utilization").asDouble(-1))
                .as("the work pool's busy share, reported").isBetween(0.0, 1.0));
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(SELF + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(SELF + path)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
