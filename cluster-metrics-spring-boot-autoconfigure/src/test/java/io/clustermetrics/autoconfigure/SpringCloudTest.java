package io.clustermetrics.autoconfigure;

import io.clustermetrics.GossipStatistics;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.example.app.TestNodeApplication;
import com.example.eureka.EurekaServerApplication;
import io.clustermetrics.ClusterMetrics;
import io.clustermetrics.NodeMetrics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.client.RestClient;

/**
 * A real Eureka server and three nodes that register with it and list no peers: they find each other through
 * discovery, and their {@code @LoadBalanced} clients route by the gossiped load.
 */
class SpringCloudTest {

    private static ConfigurableApplicationContext eureka;
    private static List<ConfigurableApplicationContext> nodes;

    @BeforeAll
    static void startEurekaAndThreeNodes() throws Exception {
        eureka = EurekaServerApplication.start();
        nodes = Stream.of(0.1, 0.5, 0.9).map(cpu -> TestNodeApplication.start(Stream.concat(
                EurekaServerApplication.clientProperties(eureka).stream(), Stream.of(
                "spring.application.name=cluster-node",
                // registered by name, not by the server.address (127.0.0.1) a node would otherwise call itself
                "eureka.instance.hostname=localhost",
                "cluster.metrics.selector=cpu",
                "cluster.metrics.loadbalancer.enabled=true",
                // weighted: shares are then the metrics' alone, which is what this test follows
                "cluster.metrics.loadbalancer.strategy=weighted",
                "test.tunable-cpu=" + cpu)).toArray(String[]::new))).toList();
    }

    @AfterAll
    static void stop() {
        Stream.concat(nodes.stream(), Stream.of(eureka)).filter(Objects::nonNull).forEach(ConfigurableApplicationContext::close);
    }

    /** The nodes as Eureka lists them, and so as they call themselves: no cluster.metrics.node-address is set. */
    private static List<String> addresses() {
        return nodes.stream().map(node -> "http://localhost:" + node.getEnvironment().getProperty("local.server.port")).toList();
    }

    /** Where 3,000 calls through node 0's load-balanced client to the service land, as shares. */
    private static Map<String, Double> shares() {
        RestClient client = nodes.get(0).getBean("loadBalancedRestClientBuilder", RestClient.Builder.class).build();
        int calls = 3_000;
        return IntStream.range(0, calls)
                .mapToObj(i -> client.get().uri("http://cluster-node/whoami").retrieve().body(String.class))
                .collect(Collectors.groupingBy(Function.identity(), Collectors.collectingAndThen(Collectors.counting(),
                        n -> (double) n / calls)));
    }

    @Test
    void nodesFindEachOtherThroughEurekaAndRouteByTheirLoad() {
        List<String> all = addresses();
        await().atMost(Duration.ofSeconds(40)).untilAsserted(() -> {
            assertThat(nodes.get(0).getBean(DiscoveryClient.class).getInstances("cluster-node"))
                    .extracting(instance -> instance.getUri().toString()).containsExactlyInAnyOrderElementsOf(all);
            nodes.forEach(node -> assertThat(node.getBean(ClusterMetrics.class).snapshot())
                    .extracting(NodeMetrics::address).containsExactlyInAnyOrderElementsOf(all));
        });
        assertThat(nodes).allSatisfy(node -> assertThat(
                node.getBean(ClusterMetricsProperties.class).gossip().peers()).as("no static peers").isEmpty());

        // CPU loads 0.1, 0.5, 0.9: cpu weights 0.9, 0.5, 0.1 of 1.5
        Map<String, Double> shares = shares();
        assertThat(shares.get(all.get(0))).isCloseTo(0.6, within(0.04));
        assertThat(shares.get(all.get(1))).isCloseTo(1 / 3.0, within(0.04));
        assertThat(shares.getOrDefault(all.get(2), 0.0)).isCloseTo(1 / 15.0, within(0.03));

        // the busiest node and the idlest swap: routing follows within a few gossip rounds
        // (the moving average takes a few samples to get there; then it is gossip's turn, counted in node 2's rounds)
        nodes.get(0).getBean(TestNodeApplication.TunableProbe.class).setCpuLoad(0.9);
        nodes.get(2).getBean(TestNodeApplication.TunableProbe.class).setCpuLoad(0.1);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                nodes.get(2).getBean(ClusterMetrics.class).get(all.get(2)).orElseThrow().cpuLoad()).isCloseTo(0.1, within(0.01)));
        GossipStatistics gossip = nodes.get(2).getBean(GossipStatistics.class);
        long roundsBefore = gossip.rounds();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            ClusterMetrics view = nodes.get(0).getBean(ClusterMetrics.class);
            assertThat(view.get(all.get(0)).orElseThrow().cpuLoad()).isCloseTo(0.9, within(0.01));
            assertThat(view.get(all.get(2)).orElseThrow().cpuLoad()).isCloseTo(0.1, within(0.01));
        });
        long rounds = gossip.rounds() - roundsBefore;
        System.out.printf("node 0's view followed node 2's own within %d of node 2's gossip rounds%n", rounds);
        assertThat(rounds).as("node 2's gossip rounds until node 0's view followed its own").isLessThanOrEqualTo(4);
        shares = shares();
        assertThat(shares.getOrDefault(all.get(0), 0.0)).isCloseTo(1 / 15.0, within(0.03));
        assertThat(shares.get(all.get(2))).isCloseTo(0.6, within(0.04));
    }
}
