package io.clustermetrics.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.app.TestNodeApplication;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

/** The gossip secret appears nowhere: logs, Actuator's configprops and env (even showing values), error bodies. */
@ExtendWith(OutputCaptureExtension.class)
class SecretLeakTest {

    private static final String SECRET = "never-print-me-7f3a9c";

    @Test
    void theSecretNeverLeaves(CapturedOutput output) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        try (ConfigurableApplicationContext node = TestNodeApplication.start(
                "cluster.metrics.gossip.secret=" + SECRET,
                "cluster.metrics.gossip.peers=http://127.0.0.1:1",
                "management.endpoints.web.exposure.include=configprops,env,health,clustermetrics",
                "management.endpoint.configprops.show-values=always",
                "management.endpoint.env.show-values=always",
                "logging.level.io.clustermetrics=trace")) {
            String base = TestNodeApplication.address(node);
            List<String> bodies = new ArrayList<>();
            for (String path : List.of("/actuator/configprops", "/actuator/env", "/actuator/env/cluster.metrics.gossip.secret",
                    "/actuator/configprops/cluster.metrics", "/actuator/health", "/actuator/clustermetrics")) {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + path)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).as(path).isEqualTo(200);
                bodies.add(response.body());
            }
            assertThat(bodies.get(0)).as("configprops shows the gossip settings").contains("maxClockSkew", "******");
            assertThat(bodies.get(1)).as("env shows values").contains("cluster.metrics.gossip.peers", "http://127.0.0.1:1");
            for (String body : List.of("{", "{\"metrics\":[]}")) {
                HttpResponse<String> refused = http.send(HttpRequest.newBuilder(URI.create(base + "/cluster-metrics/gossip"))
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(refused.statusCode()).isEqualTo(401);
                bodies.add(refused.body());
            }
            assertThat(bodies).allSatisfy(body -> assertThat(body).doesNotContain(SECRET));
            assertThat(node.getBean(ClusterMetricsProperties.class).toString()).doesNotContain(SECRET);
        }
        assertThat(output.getAll()).contains("Cluster metrics").doesNotContain(SECRET);
    }
}
