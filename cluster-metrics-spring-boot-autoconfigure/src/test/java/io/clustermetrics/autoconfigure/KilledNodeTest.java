package io.clustermetrics.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.example.app.TestNodeApplication;
import io.clustermetrics.ClusterMetrics;
import io.clustermetrics.NodeMetrics;
import io.clustermetrics.WeightedRoutees;
import java.io.File;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A node in its own JVM, killed with SIGKILL and started again at the same address, among two survivors that
 * keep gossiping its last sample to each other: it must not come back through them.
 */
class KilledNodeTest {

    private ConfigurableApplicationContext survivor;
    private ConfigurableApplicationContext witness;
    private Process victim;

    @AfterEach
    void close() {
        if (victim != null) {
            victim.destroyForcibly();
        }
        Stream.of(witness, survivor).filter(Objects::nonNull).forEach(ConfigurableApplicationContext::close);
    }

    private Process startProcess(int port, String peer, Path log) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), TestNodeApplication.class.getName()));
        TestNodeApplication.FAST.stream().filter(p -> !p.startsWith("server.port=")).forEach(p -> command.add("--" + p));
        command.addAll(List.of("--server.port=" + port, "--cluster.metrics.gossip.peers=" + peer));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    @Test
    void aKilledNodeLeavesViewAndRoutingWithinItsTtlAndRejoinsWhenRestarted() throws Exception {
        survivor = TestNodeApplication.start();
        String survivorAddress = TestNodeApplication.address(survivor);
        witness = TestNodeApplication.start("cluster.metrics.gossip.peers=" + survivorAddress);
        ClusterMetrics witnessView = witness.getBean(ClusterMetrics.class);
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String victimAddress = "http://127.0.0.1:" + port;
        File logs = new File("target/killed-node");
        logs.mkdirs();
        ClusterMetrics view = survivor.getBean(ClusterMetrics.class);
        WeightedRoutees routees = survivor.getBean(WeightedRoutees.class);
        List<String> both = List.of(survivorAddress, victimAddress);

        victim = startProcess(port, survivorAddress, logs.toPath().resolve("first.log"));
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            assertThat(victim.isAlive()).as("the node's process runs; see target/killed-node").isTrue();
            return view.get(victimAddress).isPresent() && witnessView.get(victimAddress).isPresent();
        });
        assertThat(routees.totalWeight(List.of(victimAddress))).isPositive();

        victim.destroyForcibly().waitFor();
        long killed = System.nanoTime();
        await().atMost(Duration.ofSeconds(4)).untilAsserted(() -> {
            assertThat(view.get(victimAddress)).isEmpty();
            assertThat(witnessView.get(victimAddress)).isEmpty();
            assertThat(routees.totalWeight(List.of(victimAddress))).as("out of routing too").isZero();
        });
        System.out.printf("killed node left both views after %d ms (ttl 2000 ms)%n", (System.nanoTime() - killed) / 1_000_000);
        for (int i = 0; i < 1_000; i++) {
            assertThat(routees.pick(both)).contains(survivorAddress);
        }
        // a ttl more of the survivors gossiping: neither brings the other's old copy of it back
        for (long end = System.nanoTime() + 2_000_000_000L; System.nanoTime() < end; Thread.sleep(100)) {
            assertThat(view.get(victimAddress)).isEmpty();
            assertThat(witnessView.get(victimAddress)).isEmpty();
        }

        victim = startProcess(port, survivorAddress, logs.toPath().resolve("restarted.log"));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(victim.isAlive()).as("the node's process runs; see target/killed-node").isTrue();
            assertThat(view.snapshot()).extracting(NodeMetrics::address).contains(victimAddress);
            assertThat(witnessView.snapshot()).extracting(NodeMetrics::address).contains(victimAddress);
            assertThat(routees.totalWeight(List.of(victimAddress))).isPositive();
        });
    }
}
