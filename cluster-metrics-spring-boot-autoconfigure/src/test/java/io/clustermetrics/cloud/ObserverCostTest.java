package io.clustermetrics.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.example.app.TestNodeApplication;
import io.clustermetrics.ClusterMetrics;
import io.clustermetrics.GossipStatistics;
import io.clustermetrics.MetricsObserver;
import io.clustermetrics.NodeMetrics;
import io.clustermetrics.wire.GossipSignature;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.client.RestClient;

/**
 * What observing a service costs a client, measured over real HTTP: a member of {@code orders} whose view holds
 * the service's {@code n} nodes (itself, and the others as if gossiped to it), and a client routing to it. Counts
 * the client's requests per round, and the bytes of a real pull's answer. Printed for BENCHMARKS.md.
 */
class ObserverCostTest {

    private static final String SECRET = "cost-secret";

    @ParameterizedTest
    @ValueSource(ints = {3, 100})
    void onePullPerObservedServicePerRoundCarryingThatServicesView(int n) throws Exception {
        try (ConfigurableApplicationContext member = TestNodeApplication.start("spring.application.name=orders",
                "cluster.metrics.gossip.secret=" + SECRET, "cluster.metrics.ttl=1h", "cluster.metrics.probe.type=static",
                "cluster.metrics.probe.static.cpu-load=0.5", "cluster.metrics.probe.static.memory-max=8589934592",
                "cluster.metrics.probe.static.memory-used=4294967296")) {
            ClusterMetrics store = member.getBean(ClusterMetrics.class);
            // the others as if gossiped to the member
            List<String> others = IntStream.range(1, n).mapToObj(i -> "http://127.0.%d.%d:1".formatted(i / 250, i % 250 + 2)).toList();
            IntStream.range(1, n).forEach(i -> store.publish(new NodeMetrics(others.get(i - 1),
                    System.currentTimeMillis(), 0.25 + i % 50 / 100.0, 3_000_000_000L + i, 8_589_934_592L, 1.5, 4, "orders")));
            String address = TestNodeApplication.address(member);
            try (ConfigurableApplicationContext client = TestNodeApplication.start("spring.application.name=web",
                    "cluster.metrics.loadbalancer.enabled=true", "cluster.metrics.gossip.secret=" + SECRET,
                    "spring.cloud.discovery.client.simple.instances.orders[0].uri=" + address)) {
                RestClient lb = client.getBean("loadBalancedRestClientBuilder", RestClient.Builder.class).build();
                lb.get().uri("http://orders/whoami").retrieve().body(String.class);
                ClusterMetrics seen = client.getBean(ClusterMetrics.class);
                await().atMost(Duration.ofSeconds(10)).until(() -> seen.get(address).isPresent());
                // the client takes from the answer the instances it routes to: not the others the member holds
                assertThat(seen.snapshot()).extracting(NodeMetrics::address).doesNotContainAnyElementsOf(others);

                GossipStatistics statistics = client.getBean(GossipStatistics.class);
                long rounds = statistics.rounds();
                long requests = statistics.sent() + statistics.failed();
                await().atMost(Duration.ofSeconds(20)).until(() -> statistics.rounds() >= rounds + 20);
                double perRound = (double) (statistics.sent() + statistics.failed() - requests) / (statistics.rounds() - rounds);

                long timestamp = System.currentTimeMillis();
                String path = "/cluster-metrics/gossip";
                HttpRequest.Builder pull = HttpRequest.newBuilder(URI.create(address + path));
                new GossipSignature(SECRET).headers(timestamp, "GET", address, path, null, null).forEach(pull::header);
                HttpResponse<byte[]> answer = HttpClient.newHttpClient().send(pull.build(), HttpResponse.BodyHandlers.ofByteArray());
                assertThat(answer.statusCode()).isEqualTo(200);
                long headerBytes = answer.headers().map().entrySet().stream()
                        .mapToLong(h -> h.getValue().stream().mapToLong(v -> h.getKey().length() + 2 + v.length() + 2).sum()).sum();
                System.out.printf("observing a service of %d instances: %.2f requests per round (a round every 200 ms), "
                        + "answer %d body bytes + %d header bytes%n", n, perRound, answer.body().length, headerBytes);
                assertThat(perRound).as("one pull per observed service per round").isBetween(0.8, 1.2);
                assertThat(client.getBean(MetricsObserver.class).status()).containsOnlyKeys("orders");
                assertThat(List.of(answer.body().length)).allSatisfy(bytes -> assertThat(bytes).isBetween(100 * n, 400 * n));
            }
        }
    }
}
