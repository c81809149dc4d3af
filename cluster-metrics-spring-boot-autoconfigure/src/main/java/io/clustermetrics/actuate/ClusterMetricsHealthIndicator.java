package io.clustermetrics.actuate;

import io.clustermetrics.ClusterMetrics;
import io.clustermetrics.MetricsObserver;
import io.clustermetrics.gossip.ClusterMetricsGossip;
import io.clustermetrics.gossip.HttpMetricsTransport;
import java.util.Map;
import java.util.TreeMap;
import java.util.Set;
import java.util.TreeSet;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/**
 * Health {@code clusterMetrics}: UP with the number of live nodes when this node's probe works and gossip
 * flows (some peer answers or sends, or there is no peer to talk to); UNKNOWN when peers exist and none
 * has answered or sent anything live; {@link #DEGRADED} when the probe fails. Details name the peers that have not
 * answered, and, for each service the app routes to ({@code routedServices}), its instances without metrics
 * ({@code unmatched}) and, once none has had any for a few rounds, a {@code problem} saying what to check.
 */
public class ClusterMetricsHealthIndicator extends AbstractHealthIndicator {

    /**
     * A failing probe: the node still serves, it only stops refreshing its own sample, so this is no reason to
     * take the app out of service or restart it. Boot's aggregate ignores statuses missing from
     * {@code management.endpoint.health.status.order}, so {@code /actuator/health} stays UP (HTTP 200) and the
     * component shows the problem; add DEGRADED to that order (before UP) for the aggregate to report it.
     */
    public static final Status DEGRADED = new Status("DEGRADED", "the probe fails: this node's sample is not refreshed");

    private final ClusterMetrics metrics;
    private final ClusterMetricsGossip gossip;
    private final HttpMetricsTransport transport;
    private final MetricsObserver observer;

    /**
     * @param metrics the store
     * @param gossip the gossip task, or null when the node does not gossip
     * @param transport the HTTP transport, or null when another one is used
     * @param observer the observer of the services this app routes to, or null for none
     */
    public ClusterMetricsHealthIndicator(ClusterMetrics metrics, ClusterMetricsGossip gossip, HttpMetricsTransport transport,
            MetricsObserver observer) {
        super("Cluster metrics health check failed");
        this.metrics = metrics;
        this.gossip = gossip;
        this.transport = transport;
        this.observer = observer;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        int nodes = metrics.nodeCount();
        builder.withDetail("nodes", nodes);
        Map<String, MetricsObserver.ServiceStatus> services = observer == null ? Map.of() : observer.status();
        if (!services.isEmpty()) {
            Map<String, Object> routed = new TreeMap<>();
            services.forEach((name, status) -> routed.put(name, status.missing()
                    ? Map.of("instances", status.instances(), "unmatched", status.unmatched(), "problem",
                            "no metrics for any instance: routed evenly; check that they run cluster-metrics and that "
                                    + "this app can reach their gossip endpoint with their secret")
                    : Map.of("instances", status.instances(), "unmatched", status.unmatched())));
            builder.withDetail("routedServices", routed);
        }
        if (gossip == null || gossip.selfAddress() == null) {
            builder.up().withDetail("gossip", "off");
            return;
        }
        Set<String> peers = gossip.peers();
        Set<String> unanswered = new TreeSet<>(transport == null ? Set.of() : transport.failingPeers());
        unanswered.retainAll(peers);
        builder.withDetail("self", gossip.selfAddress()).withDetail("peers", peers.size())
                .withDetail("unansweredPeers", unanswered);
        if (gossip.probeFailure() != null) {
            builder.status(DEGRADED).withDetail("probe", gossip.probeFailure());
        } else if (!peers.isEmpty() && unanswered.size() == peers.size() && nodes <= 1) {
            builder.unknown().withDetail("gossip", "no peer has answered yet");
        } else {
            builder.up();
        }
    }
}
