package io.clustermetrics.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** The README's command, {@code ./run-cluster.sh}: three nodes that find each other, all gone on Ctrl-C. */
class ClusterScriptIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void startsThreeNodesThatSeeEachOtherAndStopsThemAllOnCtrlC() throws Exception {
        try (LocalCluster cluster = LocalCluster.start("cluster-script-it")) {
            cluster.awaitWholeView(Duration.ofSeconds(90));
            for (String node : cluster.nodes) {
                assertThat(LocalCluster.view(node)).as(node).containsExactlyElementsOf(cluster.nodes);
            }
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(cluster.output())
                    .contains("The cluster is up")
                    .contains(cluster.nodes.stream().map(n -> "  " + n + "/\n").toArray(String[]::new)));
            // the Spring Cloud way: node 1's @LoadBalanced client, balanced by cluster metrics, reaches every node
            Set<String> servedBy = new HashSet<>();
            for (int i = 0; i < 60; i++) {
                servedBy.add(JSON.readTree(LocalCluster.get(cluster.nodes.get(0) + "/work?via=loadbalancer")).get("servedBy").asString());
            }
            assertThat(servedBy).containsExactlyInAnyOrderElementsOf(cluster.nodes);
            List<ProcessHandle> nodes = cluster.javaProcesses();
            assertThat(nodes).hasSize(3);

            // Ctrl-C: the terminal sends SIGINT to the script; its background nodes ignore SIGINT.
            new ProcessBuilder("kill", "-INT", String.valueOf(cluster.script.pid())).start().waitFor();

            assertThat(cluster.script.waitFor(20, TimeUnit.SECONDS)).as("the script stops").isTrue();
            assertThat(cluster.script.exitValue()).isEqualTo(130);
            assertThat(nodes).noneMatch(ProcessHandle::isAlive);
            assertThat(cluster.output()).contains("Cluster stopped.");
        }
    }
}
