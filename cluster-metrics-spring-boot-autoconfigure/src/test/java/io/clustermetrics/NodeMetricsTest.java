package io.clustermetrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

class NodeMetricsTest {

    @Test
    void refusesSamplesNoProbeCanProduce() {
        assertThatIllegalArgumentException().isThrownBy(() -> new NodeMetrics(null, 0, 0.5, 1, 2));
        assertThatIllegalArgumentException().isThrownBy(() -> new NodeMetrics(" ", 0, 0.5, 1, 2));
        assertThatIllegalArgumentException().isThrownBy(() -> new NodeMetrics("a", -1, 0.5, 1, 2));
        assertThatIllegalArgumentException().isThrownBy(() -> new NodeMetrics("a", 0, Double.NaN, 1, 2));
        assertThatIllegalArgumentException().isThrownBy(() -> new NodeMetrics("a", 0, Double.POSITIVE_INFINITY, 1, 2));
        assertThatIllegalArgumentException().isThrownBy(() -> new NodeMetrics("a", 0, -0.01, 1, 2));
        assertThatIllegalArgumentException().isThrownBy(() -> new NodeMetrics("a", 0, 1.01, 1, 2));
        assertThatIllegalArgumentException().isThrownBy(() -> new NodeMetrics("a", 0, 0.5, -1, 2));
        assertThatIllegalArgumentException().isThrownBy(() -> new NodeMetrics("a", 0, 0.5, 1, -2));
        assertThatIllegalArgumentException().isThrownBy(() -> new NodeMetrics("a", 0, 0.5, 1, 2, Double.NaN, 2));
        assertThatIllegalArgumentException().isThrownBy(() -> new NodeMetrics("a", 0, 0.5, 1, 2, 1.0, -1));
        assertThatIllegalArgumentException().isThrownBy(() -> new StaticProbe(2.0, 1, 2));
    }

    @Test
    void acceptsUsedAboveMaxAsProbesRace() {
        NodeMetrics m = new NodeMetrics("a", 0, 0.5, 3, 2);
        assertThat(m.memoryUsage()).isEqualTo(1.5);
        assertThat(MetricsSelector.HEAP.weight(m)).isZero();
    }

    @Test
    void fiveArgumentFormHasNoLoadAverage() {
        NodeMetrics m = new NodeMetrics("a", 0, 0.5, 1, 2);
        assertThat(m.systemLoadAverage()).isEqualTo(NodeMetrics.UNKNOWN_LOAD_AVERAGE);
        assertThat(m.processors()).isZero();
        assertThat(m.hasLoadAverage()).isFalse();
    }

    @Test
    void loadAverageSelectorScalesByProcessorsAndFallsBackToCpu() {
        assertThat(MetricsSelector.SYSTEM_LOAD_AVERAGE.weight(new NodeMetrics("a", 0, 0.9, 1, 2, 1.0, 4))).isEqualTo(0.75);
        assertThat(MetricsSelector.SYSTEM_LOAD_AVERAGE.weight(new NodeMetrics("a", 0, 0.9, 1, 2, 9.0, 4))).isZero();
        assertThat(MetricsSelector.SYSTEM_LOAD_AVERAGE.weight(new NodeMetrics("a", 0, 0.2, 1, 2))).isEqualTo(0.8);
    }

    @Test
    void aServiceIsAnyNameAnAppMayHaveButNoControlCharacters() {
        assertThat(new NodeMetrics("a", 1, 0.5, 1, 2, -1, 0, "My Orders Café").service()).isEqualTo("My Orders Café");
        assertThat(new NodeMetrics("a", 1, 0.5, 1, 2, -1, 0, null).service()).isNull();
        for (String bad : new String[] {"", " ", "a\r\nb", "a\u0000", "x".repeat(129)}) {
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> new NodeMetrics("a", 1, 0.5, 1, 2, -1, 0, bad)).withMessageContaining("service");
        }
    }
}
