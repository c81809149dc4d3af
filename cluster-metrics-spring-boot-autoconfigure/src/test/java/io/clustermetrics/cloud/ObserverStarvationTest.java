package io.clustermetrics.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.example.app.TestNodeApplication;
import com.sun.net.httpserver.HttpServer;
import io.clustermetrics.ClusterMetrics;
import io.clustermetrics.MetricsObserver;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.client.RestClient;

/**
 * An instance that never matches a sample (it answers everything with 503, as an instance not running cluster
 * metrics, or one starting up, might) cannot keep an observer from refreshing the others (issue 20, point 9):
 * over real HTTP, a client of {@code orders} with two real instances and that one, pulling once a second.
 */
class ObserverStarvationTest {

    private static final String SECRET = "starvation-secret";

    @Test
    void theRealInstancesSamplesStayYoungerThanTwoIntervalsBesideAnInstanceThatNeverMatches() throws Exception {
        List<AutoCloseable> closing = new ArrayList<>();
        try {
            HttpServer unavailable = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
            unavailable.createContext("/", exchange -> {
                exchange.getRequestBody().readAllBytes();
                exchange.sendResponseHeaders(503, -1);
                exchange.close();
            });
            unavailable.start();
            closing.add(() -> unavailable.stop(0));
            String never = "http://127.0.0.1:" + unavailable.getAddress().getPort();

            List<Integer> ports = List.of(TestNodeApplication.freePort(), TestNodeApplication.freePort());
            List<String> real = ports.stream().map(port -> "http://127.0.0.1:" + port).toList();
            for (int port : ports) {
                closing.add(TestNodeApplication.start("spring.application.name=orders", "server.port=" + port,
                        "cluster.metrics.gossip.secret=" + SECRET, "cluster.metrics.gossip.peers=" + String.join(",", real)));
            }
            long intervalMillis = 1_000;
            ConfigurableApplicationContext web = TestNodeApplication.start("spring.application.name=web",
                    "cluster.metrics.loadbalancer.enabled=true", "cluster.metrics.gossip.secret=" + SECRET,
                    "cluster.metrics.gossip.interval=" + intervalMillis + "ms", "cluster.metrics.ttl=5s",
                    "spring.cloud.discovery.client.simple.instances.orders[0].uri=" + real.get(0),
                    "spring.cloud.discovery.client.simple.instances.orders[1].uri=" + real.get(1),
                    "spring.cloud.discovery.client.simple.instances.orders[2].uri=" + never);
            closing.add(web);

            RestClient orders = web.getBean("loadBalancedRestClientBuilder", RestClient.Builder.class).build();
            MetricsObserver observer = web.getBean(MetricsObserver.class);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                try {
                    orders.get().uri("http://orders/whoami").retrieve().body(String.class);
                } catch (RuntimeException unavailableInstance) {
                    // a call the balancer sent to the 503 instance
                }
                assertThat(observer.status().get("orders").unmatched()).containsExactly(never);
            });

            ClusterMetrics store = web.getBean(ClusterMetrics.class);
            long maxAgeMillis = 0;
            int expired = 0;
            long end = System.currentTimeMillis() + 15_000;
            while (System.currentTimeMillis() < end) {
                Thread.sleep(100);
                for (String instance : real) {
                    Optional<Duration> age = store.age(instance);
                    if (age.isEmpty()) {
                        expired++;
                    } else {
                        maxAgeMillis = Math.max(maxAgeMillis, age.get().toMillis());
                    }
                }
            }
            System.out.printf("15 s observing orders (2 real instances, 1 answering 503), a pull round every %d ms: the "
                    + "real instances' samples %d ms old at most, expired at %d of the checks every 100 ms%n",
                    intervalMillis, maxAgeMillis, expired);
            assertThat(expired).as("checks that found a real instance's sample expired").isZero();
            assertThat(maxAgeMillis).as("largest age of a real instance's sample").isLessThan(2 * intervalMillis);
        } finally {
            Collections.reverse(closing);
            for (AutoCloseable c : closing) {
                c.close();
            }
        }
    }
}
