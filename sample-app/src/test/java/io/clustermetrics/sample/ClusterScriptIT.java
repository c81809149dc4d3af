package io.clustermetrics.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The README's command, {@code ./run-cluster.sh}: three nodes that find each other and a gateway in front of
 * them that routes by their load, all gone on Ctrl-C.
 */
class ClusterScriptIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void startsThreeNodesThatSeeEachOtherAndAGatewayAndStopsThemAllOnCtrlC() throws Exception {
        try (LocalCluster cluster = LocalCluster.start("cluster-script-it")) {
            cluster.awaitWholeView(Duration.ofSeconds(90));
            for (String node : cluster.nodes) {
                assertThat(LocalCluster.view(node)).as(node).containsExactlyElementsOf(cluster.nodes);
            }
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(cluster.output())
                    .contains("The cluster is up")
                    .contains(cluster.nodes.stream().map(n -> "  " + n + "/\n").toArray(String[]::new))
                    .contains("Starting gateway " + cluster.gateway + " ")
                    .contains("curl " + cluster.gateway + "/work/local"));
            // the Spring Cloud way: node 1's @LoadBalanced client, balanced by cluster metrics, reaches every node
            assertThat(servedBy(cluster.nodes.get(0) + "/work?via=loadbalancer")).containsExactlyInAnyOrderElementsOf(cluster.nodes);
            // the gateway: lb://sample-app reaches every node, directly and from a node's dashboard route
            assertThat(servedBy(cluster.gateway + "/work/local")).containsExactlyInAnyOrderElementsOf(cluster.nodes);
            assertThat(servedBy(cluster.nodes.get(0) + "/work?via=gateway")).containsExactlyInAnyOrderElementsOf(cluster.nodes);
            // ... routed by their load, which it pulls from them: each node's metrics, matched to its instance
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                    .until(cluster::gatewayFollowsAllNodes);
            JsonNode gateway = cluster.gatewayView();
            assertThat(gateway.get("self").asString()).isEqualTo(cluster.gateway);
            assertThat(gateway.get("service").asString()).isEqualTo("gateway");
            assertThat(gateway.get("nodes").valueStream().filter(n -> cluster.nodes.contains(n.get("address").asString()))
                    .map(n -> n.get("service").asString())).as("the nodes' service in the gateway's view")
                    .hasSize(3).containsOnly("sample-app");
            JsonNode routed = gateway.get("routedServices").get("sample-app");
            assertThat(routed.get("member").asBoolean()).as("the gateway observes sample-app, not a member").isFalse();
            assertThat(routed.get("instances").asInt()).isEqualTo(3);
            assertThat(routed.get("unmatched").isEmpty()).as("unmatched instances: %s", routed.get("unmatched")).isTrue();

            List<ProcessHandle> processes = cluster.javaProcesses();
            assertThat(processes).hasSize(4);
            assertThat(processes).filteredOn(p -> commandLine(p).contains("sample-gateway-0.1.0-SNAPSHOT.jar")).hasSize(1);
            assertThat(processes).filteredOn(p -> commandLine(p).contains("sample-app-0.1.0-SNAPSHOT.jar")).hasSize(3);

            // Ctrl-C: the terminal sends SIGINT to the script; its background nodes ignore SIGINT.
            new ProcessBuilder("kill", "-INT", String.valueOf(cluster.script.pid())).start().waitFor();

            assertThat(cluster.script.waitFor(20, TimeUnit.SECONDS)).as("the script stops").isTrue();
            assertThat(cluster.script.exitValue()).isEqualTo(130);
            assertThat(processes).noneMatch(ProcessHandle::isAlive);
            assertThat(cluster.output()).contains("Cluster stopped.");
        }
    }

    /** Which nodes served 60 GETs of {@code url}, each answering a {@code WorkResult}. */
    /**
     * Which nodes served 60 calls to {@code url}, sent 6 at a time as a busy client sends them. (Sent one by one,
     * a capacity-aware client rightly keeps to the one or two nodes that answer fastest.)
     */
    private static Set<String> servedBy(String url) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(6);
        try {
            List<Callable<String>> calls = Collections.nCopies(60,
                    () -> JSON.readTree(LocalCluster.get(url)).get("servedBy").asString());
            Set<String> servedBy = new HashSet<>();
            for (Future<String> answer : clients.invokeAll(calls)) {
                servedBy.add(answer.get());
            }
            return servedBy;
        } finally {
            clients.shutdownNow();
        }
    }

    private static String commandLine(ProcessHandle process) {
        return process.info().commandLine().orElse("");
    }
}
