package io.clustermetrics.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The metadata IDEs complete {@code cluster.metrics.*} from, as the build generates it. */
class ConfigurationMetadataTest {

    @Test
    void everyPropertyHasADescriptionAndTheDefaultsAreStated() throws Exception {
        JsonNode metadata;
        try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            metadata = JsonMapper.builder().build().readTree(in);
        }
        Map<String, JsonNode> properties = StreamSupport.stream(metadata.get("properties").spliterator(), false)
                .filter(p -> p.get("name").asString().startsWith("cluster.metrics."))
                .collect(Collectors.toMap(p -> p.get("name").asString(), p -> p));
        assertThat(properties).containsKeys("cluster.metrics.enabled", "cluster.metrics.node-address",
                "cluster.metrics.selector", "cluster.metrics.probe.type", "cluster.metrics.probe.static.cpu-load",
                "cluster.metrics.probe.static.memory-used", "cluster.metrics.probe.static.memory-max",
                "cluster.metrics.probe.memory", "cluster.metrics.sample-interval", "cluster.metrics.moving-average-half-life",
                "cluster.metrics.gossip.interval", "cluster.metrics.gossip.fanout", "cluster.metrics.gossip.peers",
                "cluster.metrics.gossip.secret", "cluster.metrics.ttl", "cluster.metrics.max-nodes",
                "cluster.metrics.probe.utilization.meter", "cluster.metrics.probe.utilization.capacity-meter",
                "cluster.metrics.probe.utilization.tags");
        // as Boot's own: a sentence an IDE can show as it is, no Javadoc tags
        properties.forEach((name, p) -> assertThat(p.path("description").asString()).as(name)
                .matches("\\p{Lu}.*\\.").doesNotContain("{@"));
        assertThat(properties.get("cluster.metrics.sample-interval").get("defaultValue").asString()).isEqualTo("3s");
        assertThat(properties.get("cluster.metrics.moving-average-half-life").get("defaultValue").asString()).isEqualTo("12s");
        assertThat(properties.get("cluster.metrics.gossip.interval").get("defaultValue").asString()).isEqualTo("3s");
        assertThat(properties.get("cluster.metrics.selector").get("defaultValue").asString()).isEqualTo("cpu-and-utilization");
        assertThat(properties.get("cluster.metrics.loadbalancer.strategy").get("defaultValue").asString())
                .isEqualTo("capacity-aware");
        assertThat(properties.get("cluster.metrics.loadbalancer.abandon-after").get("defaultValue").asString()).isEqualTo("1m");
        assertThat(metadata.get("hints")).extracting(h -> h.get("name").asString())
                .contains("cluster.metrics.selector", "cluster.metrics.probe.type", "cluster.metrics.loadbalancer.strategy");
    }
}
