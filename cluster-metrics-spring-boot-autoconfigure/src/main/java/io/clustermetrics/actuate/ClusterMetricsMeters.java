package io.clustermetrics.actuate;

import io.clustermetrics.ClusterMetrics;
import io.clustermetrics.MetricsSelector;
import io.clustermetrics.NodeMetrics;
import io.clustermetrics.GossipStatistics;
import io.clustermetrics.gossip.GossipRoundListener;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.List;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * Micrometer meters: per node (tag {@code node}) the gauges {@code cluster.metrics.node.cpu.load},
 * {@code cluster.metrics.node.memory.usage}, {@code cluster.metrics.node.weight} and, for the nodes that report
 * one, {@code cluster.metrics.node.utilization}, read when scraped, their rows
 * refreshed after every gossip round (nodes that left are removed); and the counters
 * {@code cluster.metrics.gossip.sent|received|refused|failed}.
 */
public class ClusterMetricsMeters implements MeterBinder, GossipRoundListener {

    private final ClusterMetrics metrics;
    private final MetricsSelector selector;
    private final GossipStatistics statistics;
    private volatile List<MultiGauge> gauges = List.of();
    private volatile List<ToDoubleFunction<NodeMetrics>> readings = List.of();

    /**
     * @param metrics the store the gauges read
     * @param selector the selector the weight gauge uses
     * @param statistics the gossip counts, or null when the node does not gossip
     */
    public ClusterMetricsMeters(ClusterMetrics metrics, MetricsSelector selector, GossipStatistics statistics) {
        this.metrics = metrics;
        this.selector = selector;
        this.statistics = statistics;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        gauges = List.of(
                MultiGauge.builder("cluster.metrics.node.cpu.load").description("A node's CPU load, 0 to 1").register(registry),
                MultiGauge.builder("cluster.metrics.node.memory.usage").description("A node's used over available memory").register(registry),
                MultiGauge.builder("cluster.metrics.node.weight").description("A node's routing weight, 0 to 1").register(registry),
                MultiGauge.builder("cluster.metrics.node.utilization").description("A node's application utilization, 0 to 1, as it reports it").register(registry));
        readings = List.of(NodeMetrics::cpuLoad, NodeMetrics::memoryUsage, selector::weight,
                m -> m.utilization() == null ? Double.NaN : m.utilization());
        if (statistics != null) {
            counter(registry, "sent", "Gossip messages a peer accepted", GossipStatistics::sent);
            counter(registry, "received", "Gossip messages this node accepted", GossipStatistics::received);
            counter(registry, "refused", "Gossip messages this node refused", GossipStatistics::refused);
            counter(registry, "failed", "Gossip messages that did not reach a peer or that it refused", GossipStatistics::failed);
        }
        afterRound();
    }

    private void counter(MeterRegistry registry, String name, String description, ToLongFunction<GossipStatistics> count) {
        FunctionCounter.builder("cluster.metrics.gossip." + name, statistics, s -> count.applyAsLong(s))
                .description(description)
                .register(registry);
    }

    /** Sets the gauges' rows to the nodes now in the view. */
    @Override
    public void afterRound() {
        List<NodeMetrics> view = metrics.snapshot();
        List<MultiGauge> g = gauges;
        List<ToDoubleFunction<NodeMetrics>> r = readings;
        for (int i = 0; i < g.size(); i++) {
            ToDoubleFunction<NodeMetrics> reading = r.get(i);
            // a row reads the store when scraped, so rows are kept rather than replaced: replacing one removes it,
            // and a scrape in between would miss a node that is there
            g.get(i).register(view.stream()
                    .filter(m -> !Double.isNaN(reading.applyAsDouble(m))) // a node without that reading gets no row
                    .map(m -> MultiGauge.Row.of(Tags.of("node", m.address()), metrics,
                            store -> store.get(m.address()).map(reading::applyAsDouble).orElse(Double.NaN)))
                    .toList(), false);
        }
    }
}
