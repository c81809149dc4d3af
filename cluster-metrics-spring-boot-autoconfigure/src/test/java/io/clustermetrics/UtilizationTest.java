package io.clustermetrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.within;

import io.clustermetrics.wire.GossipCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The application-reported utilization: its bounds, its probe, its smoothing, its selectors and its wire form. */
class UtilizationTest {

    private static final StaticProbe CPU_A_QUARTER = new StaticProbe(0.25, 1, 4);

    @Test
    void aSampleRefusesAUtilizationOutsideZeroAndOne() {
        for (double bad : new double[] {-0.01, 1.01, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThatIllegalArgumentException().isThrownBy(() -> new NodeMetrics("a", 0, 0.5, 0, 0, -1, 2, null, bad))
                    .withMessageContaining("utilization");
        }
        assertThat(new NodeMetrics("a", 0, 0.5, 0, 0, -1, 2, null, 1.0).utilization()).isEqualTo(1.0);
        assertThat(new NodeMetrics("a", 0, 0.5, 0, 0).utilization()).isNull();
    }

    @Test
    void theProbeAddsTheApplicationsValueAndFailsClearlyOnABadOne() {
        double[] value = {0.6};
        ApplicationUtilization pool = () -> value[0];
        UtilizationProbe probe = new UtilizationProbe(CPU_A_QUARTER, pool);
        NodeMetrics m = probe.sample("a", 7);
        assertThat(m.utilization()).isEqualTo(0.6);
        assertThat(m.cpuLoad()).isEqualTo(0.25);
        for (double bad : new double[] {Double.NaN, 1.5, -1}) {
            value[0] = bad;
            assertThatIllegalStateException().isThrownBy(() -> probe.sample("a", 8))
                    .withMessageContaining("utilization must be within [0, 1], was " + bad);
        }
    }

    @Test
    void theSmoothedProbeAveragesTheUtilizationAndRestartsWhenItAppearsOrGoes() {
        Double[] value = {0.0};
        MetricsProbe raw = (address, timestamp) -> CPU_A_QUARTER.sample(address, timestamp).withUtilization(value[0]);
        SmoothedProbe probe = new SmoothedProbe(raw, Duration.ofSeconds(4), Duration.ofSeconds(1));
        assertThat(probe.sample("a", 1).utilization()).isZero();
        value[0] = 1.0;
        NodeMetrics m = null;
        for (int i = 0; i < 4; i++) { // 4 samples of 1 s make one 4 s half-life
            m = probe.sample("a", 2 + i);
        }
        assertThat(m.utilization()).isCloseTo(0.5, within(1e-12));
        value[0] = null;
        assertThat(probe.sample("a", 6).utilization()).isNull();
        value[0] = 0.9;
        assertThat(probe.sample("a", 7).utilization()).as("a fresh start, not an average with the old").isEqualTo(0.9);
    }

    @Test
    void theSelectorsWeighTheUtilizationAndFallBackToCpuWithoutOne() {
        NodeMetrics busyPool = CPU_A_QUARTER.sample("a", 0).withUtilization(0.9);
        NodeMetrics busyCpu = new StaticProbe(0.8, 1, 4).sample("b", 0).withUtilization(0.1);
        NodeMetrics none = CPU_A_QUARTER.sample("c", 0);
        assertThat(MetricsSelector.UTILIZATION.weight(busyPool)).isCloseTo(0.1, within(1e-12));
        assertThat(MetricsSelector.UTILIZATION.weight(busyCpu)).isCloseTo(0.9, within(1e-12));
        assertThat(MetricsSelector.UTILIZATION.weight(none)).isEqualTo(0.75);
        assertThat(MetricsSelector.CPU_AND_UTILIZATION.weight(busyPool)).isCloseTo(0.1, within(1e-12));
        assertThat(MetricsSelector.CPU_AND_UTILIZATION.weight(busyCpu)).isCloseTo(0.2, within(1e-12));
        assertThat(MetricsSelector.CPU_AND_UTILIZATION.weight(none)).isEqualTo(MetricsSelector.CPU.weight(none));
    }

    @Test
    void onTheWireAMissingUtilizationIsNoFieldSoOlderNodesReadTheSameMessage() {
        GossipCodec codec = new GossipCodec();
        NodeMetrics without = new NodeMetrics("http://10.0.0.1:8080", 5, 0.25, 1, 4, 0.5, 2, "orders");
        String json = new String(codec.encode(List.of(without), 65_536).get(0), StandardCharsets.UTF_8);
        assertThat(json).doesNotContain("utilization", "null");
        assertThat(codec.decode(json.getBytes(StandardCharsets.UTF_8)).metrics()).containsExactly(without);

        NodeMetrics with = without.withUtilization(0.75);
        byte[] body = codec.encode(List.of(with), 65_536).get(0);
        assertThat(new String(body, StandardCharsets.UTF_8)).contains("\"utilization\":0.75");
        assertThat(codec.decode(body).metrics()).containsExactly(with);
    }
}
