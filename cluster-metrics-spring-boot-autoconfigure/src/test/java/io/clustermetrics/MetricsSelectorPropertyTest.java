package io.clustermetrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.IntStream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

class MetricsSelectorPropertyTest {

    @Property(tries = 2_000)
    void everyWeightIsFiniteAndWithinZeroAndOne(
            @ForAll @DoubleRange(min = 0, max = 1) double cpuLoad,
            @ForAll @LongRange(min = 0) long memoryUsed,
            @ForAll @LongRange(min = 0) long memoryMax,
            @ForAll @DoubleRange(min = -1e300, max = 1e300) double loadAverage,
            @ForAll @IntRange(min = 0) int processors,
            @ForAll @DoubleRange(min = 0, max = 1) double utilization,
            @ForAll boolean reportsUtilization) {
        NodeMetrics m = new NodeMetrics("n", 0, cpuLoad, memoryUsed, memoryMax, loadAverage, processors, null,
                reportsUtilization ? utilization : null);
        for (MetricsSelector selector : MetricsSelector.values()) {
            assertThat(selector.weight(m)).as(selector + " of " + m).isFinite().isBetween(0.0, 1.0);
        }
    }

    @Property(tries = 500)
    void weightedPickAlwaysAnswersACandidateWithAPositiveWeightWhenThereIsOne(
            @ForAll @DoubleRange(min = 0, max = 1) double cpuA,
            @ForAll @DoubleRange(min = 0, max = 1) double cpuB,
            @ForAll @DoubleRange(min = -1, max = 2) double seed) {
        ClusterMetrics metrics = new ClusterMetrics();
        metrics.publish(new NodeMetrics("a", 0, cpuA, 0, 0));
        metrics.publish(new NodeMetrics("b", 0, cpuB, 0, 0));
        String picked = new WeightedRoutees(metrics, MetricsSelector.CPU).pick(List.of("a", "b"), seed).orElseThrow();
        if (cpuA < 1.0 || cpuB < 1.0) {
            assertThat(picked.equals("a") ? cpuA : cpuB).isLessThan(1.0);
        } else {
            assertThat(picked).isEqualTo("a");
        }
    }

    @Property(tries = 1_000)
    void weightedPickLandsWhereALinearScanOfTheCumulativeWeightsDoes(
            @ForAll @Size(min = 1, max = 40) List<@DoubleRange(min = 0, max = 1) Double> cpuLoads,
            @ForAll @DoubleRange(min = 0, max = 1, maxIncluded = false) double seed) {
        ClusterMetrics metrics = new ClusterMetrics();
        List<String> candidates = IntStream.range(0, cpuLoads.size()).mapToObj(i -> "n" + i).toList();
        double total = 0;
        double[] cumulative = new double[cpuLoads.size()];
        for (int i = 0; i < cumulative.length; i++) {
            metrics.publish(new NodeMetrics(candidates.get(i), 0, cpuLoads.get(i), 0, 0));
            total += 1.0 - cpuLoads.get(i);
            cumulative[i] = total;
        }
        int expected = 0;
        while (total > 0 && cumulative[expected] <= seed * total) {
            expected++;
        }
        assertThat(new WeightedRoutees(metrics, MetricsSelector.CPU).pick(candidates, seed)).contains(candidates.get(expected));
    }
}
