package io.clustermetrics.gossip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.example.app.TestNodeApplication;
import io.clustermetrics.ClusterMetrics;
import io.clustermetrics.NodeMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Gossip between https nodes: each serves TLS with a self-signed certificate made here by the JDK's keytool,
 * and trusts it through the SSL bundle named by {@code cluster.metrics.gossip.ssl.bundle}. A node without that
 * setting does not trust them, and its sends fail: the bundle is what makes the difference.
 */
class HttpsGossipTest {

    @TempDir
    static Path dir;

    private static final List<ConfigurableApplicationContext> nodes = new ArrayList<>();
    private static List<String> addresses;

    @BeforeAll
    static void start() throws Exception {
        Path keystore = dir.resolve("node.p12");
        Path certificate = dir.resolve("node.crt");
        Path truststore = dir.resolve("trust.p12");
        keytool("-genkeypair", "-alias", "node", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", "changeit", "-keypass", "changeit");
        keytool("-exportcert", "-alias", "node", "-keystore", keystore.toString(), "-storepass", "changeit",
                "-file", certificate.toString());
        keytool("-importcert", "-noprompt", "-alias", "node", "-file", certificate.toString(), "-storetype", "PKCS12",
                "-keystore", truststore.toString(), "-storepass", "changeit");
        assertThat(Files.size(truststore)).isPositive();

        List<Integer> ports = List.of(TestNodeApplication.freePort(), TestNodeApplication.freePort(), TestNodeApplication.freePort());
        addresses = ports.stream().map(p -> "https://localhost:" + p).toList();
        String peers = addresses.stream().limit(2).collect(Collectors.joining(","));
        for (int i = 0; i < 3; i++) {
            List<String> properties = new ArrayList<>(List.of("server.port=" + ports.get(i), "server.ssl.bundle=node",
                    "spring.ssl.bundle.jks.node.keystore.location=file:" + keystore,
                    "spring.ssl.bundle.jks.node.keystore.password=changeit", "spring.ssl.bundle.jks.node.keystore.type=PKCS12",
                    "spring.ssl.bundle.jks.node.truststore.location=file:" + truststore,
                    "spring.ssl.bundle.jks.node.truststore.password=changeit", "spring.ssl.bundle.jks.node.truststore.type=PKCS12",
                    "cluster.metrics.node-address=" + addresses.get(i), "cluster.metrics.gossip.peers=" + peers,
                    "cluster.metrics.gossip.secret=tls-and-a-secret"));
            if (i < 2) {
                properties.add("cluster.metrics.gossip.ssl.bundle=node");
            }
            nodes.add(TestNodeApplication.start(properties.toArray(String[]::new)));
        }
    }

    @AfterAll
    static void stop() {
        nodes.stream().filter(Objects::nonNull).forEach(ConfigurableApplicationContext::close);
    }

    private static void keytool(String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        command.addAll(List.of(arguments));
        Process keytool = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes());
        assertThat(keytool.waitFor()).as(output).isZero();
    }


    @Test
    void httpsPeersGossipThroughTheSslBundleAndNotWithoutIt() {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            for (int i = 0; i < 2; i++) {
                assertThat(nodes.get(i).getBean(ClusterMetrics.class).snapshot()).extracting(NodeMetrics::address)
                        .contains(addresses.get(0), addresses.get(1));
            }
            assertThat(nodes.get(2).getBean(HttpMetricsTransport.class).failingPeers())
                    .as("the node without the bundle does not trust the others").contains(addresses.get(0), addresses.get(1));
        });
        assertThat(nodes.get(0).getBean(HttpMetricsTransport.class).failingPeers()).doesNotContain(addresses.get(1));
    }
}
