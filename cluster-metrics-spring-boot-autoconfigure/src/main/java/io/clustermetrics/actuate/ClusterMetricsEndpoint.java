package io.clustermetrics.actuate;

import io.clustermetrics.ClusterMetrics;
import io.clustermetrics.MetricsObserver;
import io.clustermetrics.MetricsSelector;
import io.clustermetrics.NodeMetrics;
import io.clustermetrics.gossip.ClusterMetricsGossip;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;

/**
 * {@code /actuator/clustermetrics}: this node's view of the cluster, every live node sorted by address
 * with its service, its sample, the sample's age on this node's clock and its routing weight, and the services
 * this app routes to with what it knows of their instances; and
 * {@code /actuator/clustermetrics/{address}}, one node (404 when unknown). The address may be given
 * whole, URL-encoded, or without its scheme ({@code 127.0.0.1:8081}).
 */
@Endpoint(id = "clustermetrics")
public class ClusterMetricsEndpoint {

    private final ClusterMetrics metrics;
    private final MetricsSelector selector;
    private final Supplier<ClusterMetricsGossip> gossip;

    /**
     * @param metrics the store shown
     * @param selector the selector whose weights are shown
     * @param gossip the gossip task, its supplier giving null when the app has none
     */
    public ClusterMetricsEndpoint(ClusterMetrics metrics, MetricsSelector selector, Supplier<ClusterMetricsGossip> gossip) {
        this.metrics = metrics;
        this.selector = selector;
        this.gossip = gossip;
    }

    /** The whole view. */
    @ReadOperation
    public View clusterMetrics() {
        ClusterMetricsGossip g = gossip.get();
        return new View(g == null ? null : g.selfAddress(), g == null ? null : g.service(), name(selector),
                metrics.snapshot().stream().map(this::node).toList(), g == null ? Map.of() : g.observer().status());
    }

    /** One node, by its address. */
    @ReadOperation
    public WebEndpointResponse<Node> node(@Selector(match = Selector.Match.ALL_REMAINING) String[] address) {
        String wanted = String.join("/", address);
        return metrics.snapshot().stream()
                .filter(m -> m.address().equals(wanted) || withoutScheme(m.address()).equals(withoutScheme(wanted)))
                .findFirst()
                .map(m -> new WebEndpointResponse<>(node(m)))
                .orElseGet(() -> new WebEndpointResponse<>(WebEndpointResponse.STATUS_NOT_FOUND));
    }

    private Node node(NodeMetrics m) {
        long age = metrics.age(m.address()).map(Duration::toMillis).orElse(-1L);
        return new Node(m.address(), m.timestamp(), age, m.cpuLoad(), m.memoryUsed(), m.memoryMax(), m.memoryUsage(),
                m.systemLoadAverage(), m.processors(), m.utilization(), selector.weight(m), m.service());
    }

    /** {@code host:port/path}, whatever scheme and however many slashes a path segment kept. */
    private static String withoutScheme(String address) {
        return address.replaceFirst("^[a-zA-Z][a-zA-Z0-9+.-]*:/*", "");
    }

    /** A selector's name as configured: {@code SYSTEM_LOAD_AVERAGE} is {@code system-load-average}. */
    static String name(MetricsSelector selector) {
        return selector.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * The view from this node.
     *
     * @param self this node's address
     * @param service the service this node is an instance of
     * @param selector the selector the weights come from
     * @param nodes every live node, sorted by address
     * @param routedServices the services this app routes to, by name: its own (learned through gossip) and those
     *     it observes (pulled), with how many instances it routes among and which have no metrics
     */
    public record View(String self, String service, String selector, List<Node> nodes,
            Map<String, MetricsObserver.ServiceStatus> routedServices) {}

    /**
     * One node's newest sample as this node sees it.
     *
     * @param address the node's address
     * @param timestamp when it was sampled, on the node's own clock, epoch milliseconds
     * @param ageMillis how long ago it arrived here, on this node's clock
     * @param cpuLoad CPU load, 0 to 1
     * @param memoryUsed used memory, bytes
     * @param memoryMax memory limit, bytes
     * @param memoryUsage used over limit
     * @param systemLoadAverage one-minute load average, negative when unknown
     * @param processors processors, 0 when unknown
     * @param utilization the application's utilization as it reports it, 0 to 1; null when it reports none
     * @param weight the routing weight the selector gives it, 0 to 1
     * @param service the service the node is an instance of, as it says; null when it names none
     */
    public record Node(String address, long timestamp, long ageMillis, double cpuLoad, long memoryUsed, long memoryMax,
            double memoryUsage, double systemLoadAverage, int processors, Double utilization, double weight, String service) {}
}
