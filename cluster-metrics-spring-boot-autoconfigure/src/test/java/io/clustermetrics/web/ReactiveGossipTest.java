package io.clustermetrics.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.example.app.TestNodeApplication;
import com.example.reactive.ReactiveApplication;
import io.clustermetrics.ClusterMetrics;
import io.clustermetrics.MetricsObserver;
import io.clustermetrics.NodeMetrics;
import io.clustermetrics.wire.GossipSignature;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.client.RestClient;

/**
 * A service of two WebFlux nodes (static CPU loads 0.2 and 0.8) sampling, gossiping and serving the gossip
 * endpoint exactly as servlet nodes do, and a servlet client that routes to them from Spring Cloud's simple
 * discovery (static instances, listed by host name): it pulls their load from the reactive endpoint.
 */
class ReactiveGossipTest {

    private static final String SECRET = "reactive-secret";
    private static List<Integer> ports;
    private static List<ConfigurableApplicationContext> nodes;
    private static ConfigurableApplicationContext client;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws IOException {
        ports = List.of(TestNodeApplication.freePort(), TestNodeApplication.freePort());
        String peers = ports.stream().map(p -> "http://127.0.0.1:" + p).collect(Collectors.joining(","));
        nodes = IntStream.range(0, 2).mapToObj(i -> ReactiveApplication.start("spring.application.name=reactive-orders",
                "server.port=" + ports.get(i), "cluster.metrics.gossip.peers=" + peers, "cluster.metrics.probe.type=static",
                "cluster.metrics.probe.static.cpu-load=" + (i == 0 ? 0.2 : 0.8), "cluster.metrics.gossip.secret=" + SECRET,
                "cluster.metrics.gossip.max-body-size=2KB")).toList();
        client = TestNodeApplication.start(Stream.concat(Stream.of("spring.application.name=web",
                "cluster.metrics.loadbalancer.enabled=true", "cluster.metrics.selector=cpu",
                // weighted: the split is then the metrics' alone, which is what this test checks
                "cluster.metrics.loadbalancer.strategy=weighted", "cluster.metrics.gossip.secret=" + SECRET), IntStream.range(0, 2).mapToObj(i ->
                "spring.cloud.discovery.client.simple.instances.reactive-orders[" + i + "].uri=http://localhost:" + ports.get(i)))
                .toArray(String[]::new));
    }

    @AfterAll
    static void stop() {
        Stream.concat(Stream.of(client), nodes.stream()).forEach(ConfigurableApplicationContext::close);
    }


    private static String address(int i) {
        return "http://127.0.0.1:" + ports.get(i);
    }

    @Test
    void reactiveNodesGossipAndAServletClientRoutesByTheirLoad() {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> nodes.forEach(node -> assertThat(
                node.getBean(ClusterMetrics.class).snapshot()).extracting(NodeMetrics::address, NodeMetrics::service)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(address(0), "reactive-orders"),
                        org.assertj.core.groups.Tuple.tuple(address(1), "reactive-orders"))));

        RestClient lb = client.getBean("loadBalancedRestClientBuilder", RestClient.Builder.class).build();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            lb.get().uri("http://reactive-orders/whoami").retrieve().body(String.class);
            MetricsObserver.ServiceStatus status = client.getBean(MetricsObserver.class).status().get("reactive-orders");
            assertThat(status.instances()).isEqualTo(2);
            assertThat(status.unmatched()).isEmpty();
        });
        int calls = 3_000;
        Map<String, Double> shares = IntStream.range(0, calls)
                .mapToObj(i -> lb.get().uri("http://reactive-orders/whoami").retrieve().body(String.class))
                .collect(Collectors.groupingBy(Function.identity(), Collectors.collectingAndThen(Collectors.counting(),
                        n -> (double) n / calls)));
        System.out.printf("a servlet client's shares of %d calls to two reactive nodes (weights 0.8 / 0.2): %s%n", calls, shares);
        assertThat(shares.getOrDefault(address(0), 0.0)).isCloseTo(0.8, within(0.04));
        assertThat(shares.getOrDefault(address(1), 0.0)).isCloseTo(0.2, within(0.04));
    }

    @Test
    void theReactiveEndpointRefusesWhatTheServletOneRefusesAndChangesNothing() throws Exception {
        ConfigurableApplicationContext node = nodes.get(0);
        URI endpoint = URI.create(address(0) + "/cluster-metrics/gossip");
        long timestamp = System.currentTimeMillis();
        GossipSignature signature = new GossipSignature(SECRET);
        byte[] malformed = "{\"metrics\":[{\"address\":".getBytes(StandardCharsets.UTF_8);
        byte[] tooLarge = ("{\"metrics\":[" + "x".repeat(3000) + "]}").getBytes(StandardCharsets.UTF_8);
        String unsigned = "{\"metrics\":[{\"address\":\"http://127.0.0.7:8080\",\"timestamp\":1,\"cpuLoad\":0.5,"
                + "\"memoryUsed\":1,\"memoryMax\":2}]}";
        List<NodeMetrics> before = node.getBean(ClusterMetrics.class).snapshot().stream().map(m -> m).toList();

        HttpResponse<String> bad = post(endpoint, malformed, signature.headers(timestamp, "POST", address(0),
                "/cluster-metrics/gossip", null, malformed));
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(bad.body()).contains("\"status\":400", "\"detail\":");

        HttpResponse<String> large = post(endpoint, tooLarge, signature.headers(timestamp, "POST", address(0),
                "/cluster-metrics/gossip", null, tooLarge));
        assertThat(large.statusCode()).isEqualTo(413);
        assertThat(large.body()).contains("larger than 2048 bytes");

        HttpResponse<String> noSignature = http.send(HttpRequest.newBuilder(endpoint).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(unsigned)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(noSignature.statusCode()).isEqualTo(401);
        assertThat(noSignature.body()).contains("X-Cluster-Metrics-Timestamp");

        HttpResponse<String> unsignedPull = http.send(HttpRequest.newBuilder(endpoint).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(unsignedPull.statusCode()).isEqualTo(401);
        assertThat(unsignedPull.body()).contains("\"status\":401");

        assertThat(node.getBean(ClusterMetrics.class).snapshot()).extracting(NodeMetrics::address)
                .containsExactlyElementsOf(before.stream().map(NodeMetrics::address).toList())
                .doesNotContain("http://127.0.0.7:8080");
    }

    private HttpResponse<String> post(URI endpoint, byte[] body, java.util.Map<String, String> signed) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        signed.forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
