package io.clustermetrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EwmaTest {

    @ParameterizedTest
    @ValueSource(doubles = {0.0, -0.1, 1.0001, Double.NaN, Double.POSITIVE_INFINITY})
    void refusesAlphaOutsideZeroToOne(double alpha) {
        assertThatIllegalArgumentException().isThrownBy(() -> new Ewma(0.0, alpha));
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.0, -1.0, Double.NaN, Double.POSITIVE_INFINITY})
    void refusesHalfLifeThatIsNotPositiveAndFinite(double halfLife) {
        assertThatIllegalArgumentException().isThrownBy(() -> Ewma.fromHalfLife(0.0, halfLife));
    }

    @Test
    void halfLifeHalvesTheWeightOfTheStartingValue() {
        Ewma e = Ewma.fromHalfLife(1.0, 4.0);
        for (int i = 0; i < 4; i++) {
            e.update(0.0);
        }
        assertThat(e.value()).isCloseTo(0.5, within(1e-12));
        assertThat(e.alpha()).isCloseTo(1 - Math.pow(2, -0.25), within(1e-15));
    }

    @Test
    void smoothedProbeFollowsTheAkkaHalfLife() {
        double[] cpu = {0.0};
        MetricsProbe raw = (address, ts) -> new NodeMetrics(address, ts, cpu[0], 100, 1000, 2.0, 2);
        SmoothedProbe probe = new SmoothedProbe(raw, Duration.ofSeconds(12), Duration.ofSeconds(3));
        assertThat(probe.sample("a", 1).cpuLoad()).isZero();
        cpu[0] = 1.0;
        NodeMetrics m = null;
        for (int i = 0; i < 4; i++) { // 4 samples of 3 s make one 12 s half-life
            m = probe.sample("a", 2 + i);
        }
        assertThat(m.cpuLoad()).isCloseTo(0.5, within(1e-12));
        assertThat(m.memoryUsed()).isEqualTo(100);
        assertThat(m.systemLoadAverage()).isCloseTo(2.0, within(1e-12));
        assertThat(m.timestamp()).isEqualTo(5);
        assertThat(m.address()).isEqualTo("a");
    }
}
