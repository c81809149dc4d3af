package io.clustermetrics.actuate;

import io.clustermetrics.ClusterMetrics;
import io.clustermetrics.MetricsSelector;
import io.clustermetrics.NodeMetrics;
import io.clustermetrics.GossipStatistics;
import io.clustermetrics.gossip.GossipRoundListener;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * Micrometer meters: per node (tag {@code node}) the gauges {@code cluster.metrics.node.cpu.load},
 * {@code cluster.metrics.node.memory.usage}, {@code cluster.metrics.node.weight} and, for the nodes that report
 * one, {@code cluster.metrics.node.utilization}, read when scraped, their rows
 * refreshed after every gossip round (nodes that left are removed); the counter
 * {@code cluster.metrics.gossip.messages} with the tag {@code outcome} (sent, received, refused, failed); and the
 * timer {@code cluster.metrics.gossip.round}, how long each round takes on the gossip thread.
 */
public class ClusterMetricsMeters implements MeterBinder, GossipRoundListener {

    private final ClusterMetrics metrics;
    private final MetricsSelector selector;
    private final GossipStatistics statistics;
    private volatile List<MultiGauge> gauges = List.of();
    private volatile List<ToDoubleFunction<NodeMetrics>> readings = List.of();
    private volatile Timer rounds;
    private long timedRounds; // the gossip thread's alone

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
            counter(registry, "sent", GossipStatistics::sent);
            counter(registry, "received", GossipStatistics::received);
            counter(registry, "refused", GossipStatistics::refused);
            counter(registry, "failed", GossipStatistics::failed);
            rounds = Timer.builder("cluster.metrics.gossip.round")
                    .description("How long a gossip round takes on the gossip thread: sampling, sends and pulls started")
                    .register(registry);
        }
        afterRound();
    }

    private void counter(MeterRegistry registry, String outcome, ToLongFunction<GossipStatistics> count) {
        FunctionCounter.builder("cluster.metrics.gossip.messages", statistics, s -> count.applyAsLong(s))
                .description("Gossip messages by outcome: sent (a peer accepted it), received (this node accepted it),"
                        + " refused (this node refused it), failed (it did not reach a peer, or the peer refused it)")
                .tag("outcome", outcome)
                .register(registry);
    }

    /**
     * Describes the meters Micrometer makes of the gossip observations ({@code cluster.metrics.gossip.push} and
     * {@code .pull}, and their {@code .active} long-task timers), which observations cannot describe themselves: a
     * scrape without help text fails Prometheus's lint ({@code promtool check metrics}).
     */
    public static MeterFilter observationDescriptions() {
        Map<String, String> help = Map.of(
                "cluster.metrics.gossip.push", "Gossip pushes to a peer, by error (none when the peer accepted every batch)",
                "cluster.metrics.gossip.push.active", "Gossip pushes in progress",
                "cluster.metrics.gossip.pull", "Pulls of an observed service's load from one of its instances, by error",
                "cluster.metrics.gossip.pull.active", "Pulls in progress");
        return new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                String description = help.get(id.getName());
                return description == null || id.getDescription() != null ? id
                        : new Meter.Id(id.getName(), Tags.of(id.getTagsAsIterable()), id.getBaseUnit(), description, id.getType());
            }
        };
    }

    /** Records the round just run in the timer, and sets the gauges' rows to the nodes now in the view. */
    @Override
    public void afterRound() {
        Timer timer = rounds;
        if (timer != null && statistics.rounds() > timedRounds) {
            timedRounds = statistics.rounds();
            timer.record(statistics.lastRound());
        }
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
