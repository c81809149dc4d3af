package io.clustermetrics.gossip;

import io.clustermetrics.ClusterMetrics;
import io.clustermetrics.GossipStatistics;
import io.clustermetrics.MetricsGossiper;
import io.clustermetrics.MetricsObserver;
import io.clustermetrics.MetricsPdu;
import io.clustermetrics.MetricsProbe;
import io.clustermetrics.MetricsTransport;
import io.clustermetrics.NodeAddress;
import io.clustermetrics.NodeAliases;
import io.clustermetrics.SmoothedProbe;
import io.clustermetrics.autoconfigure.ClusterMetricsProperties;
import io.clustermetrics.wire.LogSafe;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The gossip task: once the web server knows its port, samples this node every {@code sample-interval}
 * (smoothed by the moving average), sends its view to {@code fanout} random peers of its service every
 * {@code gossip.interval}, and sweeps expired nodes out of routing the moment they expire. Every
 * {@code gossip.interval} it also pulls the services this app routes to ({@link MetricsObserver}), and so it
 * runs in an app without a web server too, which then observes only. Runs on its own thread, not the app's
 * scheduler, and stops with the application context. Time is the store's {@link ClusterMetrics#clock() clock}.
 */
public final class ClusterMetricsGossip implements SmartLifecycle {

    private static final Log log = LogFactory.getLog(ClusterMetricsGossip.class);

    private final ClusterMetrics metrics;
    private final Supplier<MetricsProbe> probe;
    private final MetricsTransport transport;
    private final GossipPeers listedPeers;
    private final ClusterMetricsProperties properties;
    private final Supplier<String> nodeAddress;
    private final List<GossipRoundListener> listeners;
    private final GossipStatistics statistics;
    private final String service;
    private final MetricsObserver observer;
    private volatile MetricsGossiper gossiper;
    private volatile String self;
    private volatile ScheduledExecutorService scheduler;
    private volatile String probeFailure;
    private final Set<String> missing = ConcurrentHashMap.newKeySet();

    /**
     * @param metrics the store
     * @param probe this node's probe, smoothed here; asked for on the gossip thread, so that building it (OSHI
     *     takes a few hundred milliseconds) stays off the application's startup
     * @param transport how messages reach peers
     * @param listedPeers the peers to gossip with besides learned ones
     * @param properties the intervals, half-life, fanout and ttl
     * @param nodeAddress this node's address, asked once at start, when the server's port is known; null
     *     when there is none, and then the node does not gossip
     * @param listeners told after every round
     * @param statistics where round durations are recorded
     * @param service the service this node is an instance of; null for none
     * @param observer pulls the services this app routes to, every round
     */
    public ClusterMetricsGossip(ClusterMetrics metrics, Supplier<MetricsProbe> probe, MetricsTransport transport,
            GossipPeers listedPeers, ClusterMetricsProperties properties, Supplier<String> nodeAddress,
            List<GossipRoundListener> listeners, GossipStatistics statistics, String service, MetricsObserver observer) {
        this.metrics = metrics;
        this.probe = probe;
        this.transport = transport;
        this.listedPeers = listedPeers;
        this.properties = properties;
        this.nodeAddress = nodeAddress;
        this.listeners = List.copyOf(listeners);
        this.statistics = statistics;
        this.service = service;
        this.observer = observer;
    }

    @Override
    public synchronized void start() {
        if (scheduler != null) {
            return;
        }
        String given = nodeAddress.get();
        String address = given == null ? null : NodeAddress.canonical(given);
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread t = new Thread(runnable, "cluster-metrics-gossip");
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        scheduler = executor;
        long gossipMillis = properties.gossip().interval().toMillis();
        executor.scheduleAtFixedRate(this::observe, gossipMillis / 4, gossipMillis, TimeUnit.MILLISECONDS);
        if (address == null) {
            log.info("Cluster metrics: this app has no address (no embedded web server, and no "
                    + "cluster.metrics.node-address), so it does not gossip; it observes the services it routes to");
            return;
        }
        self = address;
        executor.execute(() -> build(address));
        long sampleMillis = properties.sampleInterval().toMillis();
        executor.scheduleAtFixedRate(this::sample, 0, sampleMillis, TimeUnit.MILLISECONDS);
        executor.scheduleAtFixedRate(this::gossip, gossipMillis / 2, gossipMillis, TimeUnit.MILLISECONDS);
        executor.execute(this::sweep);
        log.info("Cluster metrics: node " + address + " of " + (service == null ? "no named service" : "service " + service)
                + " gossips every " + properties.gossip().interval()
                + " with " + properties.gossip().fanout() + " of " + listedPeers.peers() + " and the nodes it learns of");
    }

    @Override
    public synchronized void stop() {
        if (scheduler == null) {
            return;
        }
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        scheduler = null;
    }

    @Override
    public boolean isRunning() {
        return scheduler != null;
    }

    /** This node's address; null until started. */
    public String selfAddress() {
        return self;
    }

    /** The service this node is an instance of; null for none. */
    public String service() {
        return service;
    }

    /** The observer of the services this app routes to. */
    public MetricsObserver observer() {
        return observer;
    }

    /**
     * What this node answers a pull with: its address, service and live view of its service; null until it
     * gossips.
     */
    public MetricsPdu.View localView() {
        MetricsGossiper g = gossiper;
        return g == null ? null : new MetricsPdu.View(g.selfAddress(), service, g.view());
    }

    /** The peers gossip may go to now; empty until started. */
    public Set<String> peers() {
        MetricsGossiper g = gossiper;
        return g == null ? Set.of() : g.peers();
    }

    /** Why the last local sample failed, or null if it worked. */
    public String probeFailure() {
        return probeFailure;
    }

    private void build(String address) {
        try {
            gossiper = new MetricsGossiper(metrics,
                    new SmoothedProbe(probe.get(), properties.movingAverageHalfLife(), properties.sampleInterval()),
                    address, service, listedPeers::peers, transport, properties.gossip().fanout(), new Random());
        } catch (RuntimeException e) {
            probeFailure = String.valueOf(e.getMessage());
            log.warn("Cluster metrics probe could not be built; this node does not gossip", e);
        }
    }

    private void sample() {
        if (gossiper == null) {
            return;
        }
        try {
            gossiper.sampleLocal(metrics.clock().millis());
            if (probeFailure != null) {
                log.info("Cluster metrics probe works again");
            }
            probeFailure = null;
        } catch (RuntimeException e) {
            if (probeFailure == null) {
                log.warn("Cluster metrics probe failed; this node's sample is not refreshed until it works", e);
            }
            probeFailure = String.valueOf(e.getMessage());
        }
    }

    private void gossip() {
        if (gossiper == null) {
            return;
        }
        try {
            long start = System.nanoTime();
            Set<String> peers = gossiper.peers();
            List<String> targets = gossiper.gossipRound(peers);
            statistics.onRound(System.nanoTime() - start);
            if (transport instanceof HttpMetricsTransport http) {
                Set<String> known = new HashSet<>(peers);
                known.addAll(observer.instances());
                http.retainPeers(known);
            }
            if (log.isTraceEnabled()) {
                log.trace("Cluster metrics gossip round sent to " + targets);
            }
            listeners.forEach(GossipRoundListener::afterRound);
        } catch (RuntimeException e) {
            log.warn("Cluster metrics gossip round failed", e);
        }
    }

    /**
     * Pulls the observed services, then warns once about each service routed to that has had no metrics for
     * {@link MetricsObserver#ROUNDS_BEFORE_MISSING} rounds, and says so when its metrics come.
     */
    private void observe() {
        try {
            observer.pullRound();
            observer.status().forEach((name, status) -> {
                if (status.missing() && missing.add(name)) {
                    log.warn("Cluster metrics: no metrics for any of the " + status.instances() + " instances of " + LogSafe.of(name)
                            + " this app routes to, so it routes to them evenly. Check that they run cluster-metrics, that "
                            + "this app reaches " + properties.gossip().path() + " on them and has their gossip secret; "
                            + "unmatched: " + LogSafe.of(status.unmatched()));
                } else if (!status.missing() && missing.remove(name)) {
                    log.info("Cluster metrics: metrics for " + LogSafe.of(name) + " arrive again");
                }
            });
        } catch (RuntimeException e) {
            log.warn("Cluster metrics observer round failed", e);
        }
    }

    /** Sweeps, then comes back when the next node would expire (or a ttl from now if none is live). */
    private void sweep() {
        try {
            metrics.evictExpired();
        } catch (RuntimeException e) {
            log.warn("Cluster metrics sweep failed", e);
        }
        long now = metrics.clock().millis();
        long delay = metrics.nextExpiry().map(Instant::toEpochMilli).orElse(now + properties.ttl().toMillis()) - now;
        ScheduledExecutorService s = scheduler;
        if (s != null && !s.isShutdown()) {
            s.schedule(this::sweep, Math.max(delay, 1), TimeUnit.MILLISECONDS);
        }
    }
}
