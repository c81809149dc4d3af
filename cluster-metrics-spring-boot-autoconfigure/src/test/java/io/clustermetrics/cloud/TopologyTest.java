package io.clustermetrics.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.example.app.TestNodeApplication;
import com.example.eureka.EurekaServerApplication;
import com.example.gateway.GatewayApplication;
import com.example.reactive.ReactiveApplication;
import io.clustermetrics.ClusterMetrics;
import io.clustermetrics.MetricsObserver;
import io.clustermetrics.NodeMetrics;
import io.clustermetrics.gossip.ClusterMetricsGossip;
import io.clustermetrics.gossip.HttpMetricsTransport;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
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
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * The topologies users have, over a real Eureka server: service {@code orders} (three instances, static CPU loads
 * 0.1, 0.5 and 0.9) and {@code billing} (two, 0.2 and 0.8), each gossiping among its own instances only; and
 * clients of them that are not their members: a servlet app {@code web} with a {@code @LoadBalanced RestClient}
 * calling both services, a WebFlux app with a {@code @LoadBalanced WebClient}, and a Spring Cloud Gateway with a
 * route {@code lb://orders}. No client sets anything beyond {@code cluster.metrics.loadbalancer.enabled=true}.
 * The instances register by host name ({@code localhost}) and call themselves by IP ({@code 127.0.0.1}), so the
 * clients must match them. All gossip is signed.
 */
@ExtendWith(OutputCaptureExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TopologyTest {

    private static final String SECRET = "topology-secret";
    private static final int CALLS = 3_000;

    private static ConfigurableApplicationContext eureka;
    private static final List<ConfigurableApplicationContext> orders = new ArrayList<>();
    private static final List<ConfigurableApplicationContext> billing = new ArrayList<>();
    private static ConfigurableApplicationContext plain;
    private static ConfigurableApplicationContext web;
    private static ConfigurableApplicationContext reactive;
    private static ConfigurableApplicationContext gateway;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws IOException {
        eureka = EurekaServerApplication.start();
        for (double cpu : new double[] {0.1, 0.5, 0.9}) {
            orders.add(member("orders", cpu));
        }
        for (double cpu : new double[] {0.2, 0.8}) {
            billing.add(member("billing", cpu));
        }
        // a service that does not run cluster metrics: routing to it must say so
        plain = TestNodeApplication.start(eurekaClient("spring.application.name=plain", "eureka.instance.hostname=localhost",
                "cluster.metrics.enabled=false"));
        web = TestNodeApplication.start(client("web"));
        reactive = ReactiveApplication.start(client("reactive-web"));
        gateway = GatewayApplication.start("orders", client("gateway"));
    }

    @AfterAll
    static void stop() {
        Stream.of(Stream.of(gateway, reactive, web, plain), billing.stream(), orders.stream(), Stream.of(eureka)).flatMap(s -> s)
                .filter(Objects::nonNull).forEach(ConfigurableApplicationContext::close);
    }

    /** An instance of {@code service} on a port chosen here, calling itself by IP, registered by host name. */
    private static ConfigurableApplicationContext member(String service, double cpu) throws IOException {
        int port = TestNodeApplication.freePort();
        return TestNodeApplication.start(eurekaClient("spring.application.name=" + service, "server.port=" + port,
                "eureka.instance.hostname=localhost", "cluster.metrics.node-address=http://127.0.0.1:" + port,
                "cluster.metrics.probe.type=static", "cluster.metrics.probe.static.cpu-load=" + cpu,
                "cluster.metrics.gossip.secret=" + SECRET));
    }

    /**
     * A client app: the switch, the shared secret, and the weighted strategy with the selector the shares are
     * computed with, so that a share is a function of the metrics alone: what this test checks is that they
     * reach every kind of client (CapacityAwareRoutingTest checks the default strategy).
     */
    private static String[] client(String name) {
        return eurekaClient("spring.application.name=" + name, "cluster.metrics.loadbalancer.enabled=true",
                "cluster.metrics.loadbalancer.strategy=weighted", "cluster.metrics.selector=cpu",
                "cluster.metrics.gossip.secret=" + SECRET,
                "spring.cloud.loadbalancer.cache.ttl=1s");
    }

    private static String[] eurekaClient(String... properties) {
        return Stream.concat(EurekaServerApplication.clientProperties(eureka).stream(), Stream.of(properties))
                .toArray(String[]::new);
    }


    private static String address(ConfigurableApplicationContext node) {
        return TestNodeApplication.address(node);
    }

    private static List<String> addresses(List<ConfigurableApplicationContext> nodes) {
        return nodes.stream().map(TopologyTest::address).toList();
    }

    /** Calls until {@code client} routes among all of {@code service}'s instances, each matched to its metrics. */
    private static void awaitMetrics(ConfigurableApplicationContext client, String service, int instances, Runnable call) {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            call.run();
            MetricsObserver.ServiceStatus status = client.getBean(MetricsObserver.class).status().get(service);
            assertThat(status).isNotNull();
            assertThat(status.instances()).isEqualTo(instances);
            assertThat(status.unmatched()).isEmpty();
        });
    }

    /** Where {@link #CALLS} calls land, as shares by the address the answering node gives. */
    private static Map<String, Double> shares(Supplier<String> call) {
        return IntStream.range(0, CALLS).mapToObj(i -> call.get()).collect(Collectors.groupingBy(Function.identity(),
                Collectors.collectingAndThen(Collectors.counting(), n -> (double) n / CALLS)));
    }

    /** CPU loads 0.1, 0.5, 0.9: cpu weights 0.9, 0.5 and 0.1 of 1.5. */
    private static void assertFollowsOrdersWeights(String client, Map<String, Double> shares) {
        System.out.printf("%s's shares of %d calls to orders (weights 0.6 / 0.333 / 0.067): %s%n", client, CALLS, shares);
        List<String> all = addresses(orders);
        assertThat(shares.getOrDefault(all.get(0), 0.0)).isCloseTo(0.6, within(0.04));
        assertThat(shares.getOrDefault(all.get(1), 0.0)).isCloseTo(1 / 3.0, within(0.04));
        assertThat(shares.getOrDefault(all.get(2), 0.0)).isCloseTo(1 / 15.0, within(0.04));
    }

    @Test
    @Order(1)
    void aServletClientOfTwoServicesRoutesEachByItsOwnWeights() throws Exception {
        RestClient client = web.getBean("loadBalancedRestClientBuilder", RestClient.Builder.class).build();
        Supplier<String> callOrders = () -> client.get().uri("http://orders/whoami").retrieve().body(String.class);
        Supplier<String> callBilling = () -> client.get().uri("http://billing/whoami").retrieve().body(String.class);
        awaitMetrics(web, "orders", 3, callOrders::get);
        awaitMetrics(web, "billing", 2, callBilling::get);
        assertFollowsOrdersWeights("web", shares(callOrders));

        Map<String, Double> billingShares = shares(callBilling);
        System.out.printf("web's shares of %d calls to billing (weights 0.8 / 0.2): %s%n", CALLS, billingShares);
        assertThat(billingShares.getOrDefault(address(billing.get(0)), 0.0)).isCloseTo(0.8, within(0.04));
        assertThat(billingShares.getOrDefault(address(billing.get(1)), 0.0)).isCloseTo(0.2, within(0.04));

        // the endpoint shows each node's service and what web routes to
        String view = http.send(HttpRequest.newBuilder(URI.create(address(web) + "/actuator/clustermetrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(view).contains("\"service\":\"web\"", "\"service\":\"orders\"", "\"service\":\"billing\"",
                "\"routedServices\":{\"billing\":{", "\"orders\":{");
        // the pulls went through Spring Boot's HTTP client support, observed
        assertThat(web.getBean(MeterRegistry.class).find("http.client.requests").tag("method", "GET").timers()).isNotEmpty();
    }

    @Test
    @Order(2)
    void aReactiveClientRoutesByOrdersWeights() {
        WebClient client = reactive.getBean("loadBalancedWebClientBuilder", WebClient.Builder.class).build();
        Supplier<String> call = () -> client.get().uri("http://orders/whoami").retrieve().bodyToMono(String.class).block();
        awaitMetrics(reactive, "orders", 3, call::get);
        assertFollowsOrdersWeights("the reactive client", shares(call));
    }

    @Test
    @Order(3)
    void aGatewayRouteLbOrdersFollowsOrdersWeights() {
        URI uri = URI.create(address(gateway) + "/orders/whoami");
        Supplier<String> call = () -> {
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).isEqualTo(200);
                return response.body();
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        };
        awaitMetrics(gateway, "orders", 3, call::get);
        assertFollowsOrdersWeights("the gateway", shares(call));
    }

    @Test
    @Order(4)
    void aServiceWithoutMetricsIsReportedNotSilentlyRoutedEvenly(CapturedOutput output) {
        RestClient client = web.getBean("loadBalancedRestClientBuilder", RestClient.Builder.class).build();
        client.get().uri("http://plain/actuator/health").retrieve().toBodilessEntity();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(output.getAll()).contains("no metrics for any of the 1 instances of plain this app routes to");
            HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(address(web) + "/actuator/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.body()).contains("\"plain\":{", "\"problem\":\"no metrics for any instance");
        });
        assertThat(output.getAll().split("instances of plain this app routes to", -1)).as("warned once").hasSize(2);
    }

    @Test
    @Order(5)
    void membersNeverListTheirClientsNorWarnWhenTheyStop(CapturedOutput output) {
        List<String> members = addresses(orders);
        List<String> clients = Stream.of(web, reactive, gateway).map(TopologyTest::address).toList();
        for (ConfigurableApplicationContext node : orders) {
            assertThat(node.getBean(ClusterMetrics.class).snapshot()).extracting(NodeMetrics::address)
                    .containsExactlyInAnyOrderElementsOf(members);
            assertThat(node.getBean(ClusterMetricsGossip.class).peers()).doesNotContainAnyElementsOf(clients);
        }
        web.close();
        reactive.close();
        gateway.close();
        long rounds = orders.get(0).getBean(io.clustermetrics.GossipStatistics.class).rounds();
        await().atMost(Duration.ofSeconds(30)).until(() -> orders.get(0).getBean(io.clustermetrics.GossipStatistics.class)
                .rounds() >= rounds + 10);
        for (ConfigurableApplicationContext node : orders) {
            assertThat(node.getBean(HttpMetricsTransport.class).failingPeers()).isEmpty();
        }
        clients.forEach(client -> assertThat(output.getAll().lines()
                .filter(line -> line.contains("does not answer gossip") && line.contains(client))).isEmpty());
    }
}
