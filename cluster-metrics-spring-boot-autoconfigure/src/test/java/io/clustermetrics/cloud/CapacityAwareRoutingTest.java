package io.clustermetrics.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.example.app.TestNodeApplication;
import com.example.gateway.GatewayApplication;
import com.example.reactive.ReactiveApplication;
import io.clustermetrics.CapacityAwareRoutees;
import io.clustermetrics.WeightedRoutees;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.cloud.loadbalancer.support.LoadBalancerClientFactory;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;
import org.springframework.web.client.RestTemplate;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * The default strategy over real HTTP, as users call another service: {@code orders} has two instances on
 * equal metrics (same static CPU, same processors), one answering {@code /work} at once and one after 30 ms.
 * Only what each client measures tells them apart, and every kind of client must measure it: a servlet app's
 * {@code RestClient} and {@code RestTemplate}, a reactive app's {@code WebClient} and a Gateway route. A client
 * on {@code weighted} splits evenly, the negative control. No client leaves a call counted in flight, also
 * when calls fail, when an instance is down, and when a {@code WebClient} call is cancelled.
 */
class CapacityAwareRoutingTest {

    private static final int CALLS = 150;

    private static List<ConfigurableApplicationContext> orders;
    private static ConfigurableApplicationContext web;
    private static ConfigurableApplicationContext weighted;
    private static ConfigurableApplicationContext reactive;
    private static ConfigurableApplicationContext gateway;
    private static String fast;
    private static String slow;
    private static int down;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws IOException {
        orders = Stream.of(0, 30).map(delay -> TestNodeApplication.start("spring.application.name=orders",
                "cluster.metrics.probe.type=static", "cluster.metrics.probe.static.cpu-load=0.5",
                "test.work-delay-ms=" + delay)).toList();
        fast = TestNodeApplication.address(orders.get(0));
        slow = TestNodeApplication.address(orders.get(1));
        down = TestNodeApplication.freePort();
        web = TestNodeApplication.start(client("web"));
        weighted = TestNodeApplication.start(client("weighted", "cluster.metrics.loadbalancer.strategy=weighted"));
        reactive = ReactiveApplication.start(client("reactive"));
        gateway = GatewayApplication.start("orders", client("gateway"));
    }

    @AfterAll
    static void stop() {
        Stream.concat(Stream.of(web, weighted, reactive, gateway), orders.stream()).filter(Objects::nonNull)
                .forEach(ConfigurableApplicationContext::close);
    }

    /**
     * A client of orders, of "cancelled" (the slow instance alone, for calls a client gives up on) and of
     * "flaky" (the fast instance and a port nothing listens on). Calls not reported ended are released after 1 s.
     */
    private static String[] client(String name, String... more) {
        return Stream.concat(Stream.of("spring.application.name=" + name, "cluster.metrics.loadbalancer.enabled=true",
                "cluster.metrics.loadbalancer.abandon-after=1s",
                "spring.cloud.discovery.client.simple.instances.orders[0].uri=" + fast,
                "spring.cloud.discovery.client.simple.instances.orders[1].uri=" + slow,
                "spring.cloud.discovery.client.simple.instances.cancelled[0].uri=" + slow,
                "spring.cloud.discovery.client.simple.instances.flaky[0].uri=" + fast,
                "spring.cloud.discovery.client.simple.instances.flaky[1].uri=http://127.0.0.1:" + down), Stream.of(more))
                .toArray(String[]::new);
    }


    /**
     * The share of {@link #CALLS} sequential calls the slow instance answered, once {@code app}'s route is warm.
     * A client's first calls through a route (new connections, cold code) can take longer than the slow
     * instance's 30 ms, and the peak estimate keeps that for seconds: the measurement starts once the
     * capacity-aware router, fed by the client's own calls, rates the fast instance below the slow one.
     */
    private static double slowShare(String client, ConfigurableApplicationContext app, Supplier<String> call) {
        IntStream.range(0, 20).forEach(i -> call.get());
        if (!app.getBean(LoadBalancerClientFactory.class).getInstances("orders", CapacityAwareRoutees.class).isEmpty()) {
            CapacityAwareRoutees routees = bean(app, "orders", CapacityAwareRoutees.class);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                call.get();
                long now = System.nanoTime();
                assertThat(routees.load(fast).latency(now)).isPositive().isLessThan(routees.load(slow).latency(now));
            });
        }
        Map<String, Long> counts = IntStream.range(0, CALLS).mapToObj(i -> call.get())
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        System.out.printf("%s: %d calls to orders, fast / slow instance: %s / %s%n", client, CALLS,
                counts.getOrDefault(fast, 0L), counts.getOrDefault(slow, 0L));
        assertThat(counts.keySet()).isSubsetOf(fast, slow);
        return counts.getOrDefault(slow, 0L) / (double) CALLS;
    }

    private static <T> T bean(ConfigurableApplicationContext app, String service, Class<T> type) {
        return app.getBean(LoadBalancerClientFactory.class).getInstance(service, type);
    }

    /** Nothing counted in flight: by the lifecycle, and by the router's handle of each instance. */
    private static void assertNothingInFlight(ConfigurableApplicationContext app, String service, String... instances) {
        assertThat(bean(app, service, ClusterMetricsLoadBalancerLifecycle.class).inFlight()).isZero();
        CapacityAwareRoutees routees = bean(app, service, CapacityAwareRoutees.class);
        assertThat(instances).allSatisfy(i -> assertThat(routees.load(i).inFlight()).as(i).isZero());
    }

    @Test
    void servletClientsRouteAwayFromTheSlowInstanceByWhatTheyMeasure() {
        RestClient restClient = web.getBean("loadBalancedRestClientBuilder", RestClient.Builder.class).build();
        assertThat(slowShare("web RestClient", web,
                () -> restClient.get().uri("http://orders/work").retrieve().body(String.class))).isLessThan(0.15);
        RestTemplate restTemplate = web.getBean("loadBalancedRestTemplate", RestTemplate.class);
        assertThat(slowShare("web RestTemplate", web,
                () -> restTemplate.getForObject("http://orders/work", String.class))).isLessThan(0.15);
        assertNothingInFlight(web, "orders", fast, slow);
    }

    @Test
    void theWeightedStrategySplitsEvenlyOnEqualMetrics() {
        RestClient client = weighted.getBean("loadBalancedRestClientBuilder", RestClient.Builder.class).build();
        assertThat(bean(weighted, "orders", io.clustermetrics.Router.class)).isInstanceOf(WeightedRoutees.class);
        assertThat(slowShare("weighted RestClient", weighted, () -> client.get().uri("http://orders/work").retrieve()
                .body(String.class))).isCloseTo(0.5, within(0.15));
    }

    @Test
    void aReactiveClientRoutesAwayFromTheSlowInstance() {
        WebClient client = reactive.getBean("loadBalancedWebClientBuilder", WebClient.Builder.class).build();
        assertThat(slowShare("reactive WebClient", reactive, () -> client.get().uri("http://orders/work").retrieve()
                .bodyToMono(String.class).block())).isLessThan(0.15);
        assertNothingInFlight(reactive, "orders", fast, slow);
    }

    @Test
    void aGatewayRouteRoutesAwayFromTheSlowInstance() {
        URI uri = URI.create(TestNodeApplication.address(gateway) + "/orders/work");
        assertThat(slowShare("gateway lb://orders", gateway, () -> {
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).isEqualTo(200);
                return response.body();
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        })).isLessThan(0.15);
        assertNothingInFlight(gateway, "orders", fast, slow);
    }

    @Test
    void failedCallsAndADownInstanceLeaveNothingInFlightAndTheDownInstanceIsAvoided() {
        RestClient client = web.getBean("loadBalancedRestClientBuilder", RestClient.Builder.class).build();
        long refused = IntStream.range(0, 40).filter(i -> {
            try {
                client.get().uri("http://flaky/work").retrieve().body(String.class);
                return false;
            } catch (RestClientException e) {
                return true;
            }
        }).count();
        System.out.printf("web: %d of 40 calls to flaky refused%n", refused);
        assertThat(refused).isBetween(1L, 10L);
        assertThatThrownBy(() -> client.get().uri("http://orders/work?fail=true").retrieve().body(String.class))
                .isInstanceOf(RestClientException.class);
        assertNothingInFlight(web, "flaky", fast, "http://127.0.0.1:" + down);
        assertNothingInFlight(web, "orders", fast, slow);
    }

    @Test
    void cancelledWebClientCallsAreReleasedAfterAbandonAfter() {
        WebClient client = reactive.getBean("loadBalancedWebClientBuilder", WebClient.Builder.class).build();
        for (int i = 0; i < 5; i++) {
            assertThatThrownBy(() -> client.get().uri("http://cancelled/work").retrieve().bodyToMono(String.class)
                    .timeout(Duration.ofMillis(5)).block()).hasMessageContaining("imeout");
        }
        // Spring Cloud does not report a cancelled exchange: the starts wait for abandon-after (1 s)
        assertThat(bean(reactive, "cancelled", ClusterMetricsLoadBalancerLifecycle.class).inFlight()).isPositive();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            client.get().uri("http://cancelled/work").retrieve().bodyToMono(String.class).block();
            assertNothingInFlight(reactive, "cancelled", slow);
        });
    }
}
