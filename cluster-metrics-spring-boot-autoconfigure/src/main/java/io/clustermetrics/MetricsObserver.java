package io.clustermetrics;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.random.RandomGenerator;

/**
 * How a client of other services learns their load without joining their gossip. A client routing to a
 * service tells {@link #resolve} the instances it routes among, and gets back the addresses their samples are
 * stored under; every round ({@link #pullRound}) the observer asks one instance of each service routed to
 * lately for its live view of its service ({@link MetricsTransport#pull}), and merges the samples of that
 * service's listed instances into the store, newest winning (and none stamped later than the answer arrived). The answer names the node ("I am ..."), which teaches
 * {@link NodeAliases} what the client's URI for it is. While some instances are not matched to a sample, each
 * round also asks one of them in turn, so each is matched within as many rounds as there are unmatched ones; an
 * instance that never matches (it does not run cluster metrics, or is down) does not keep the others' samples
 * from being refreshed every round.
 *
 * <p>Cost: one request per observed service per round, two while an instance is unmatched, each carrying that
 * service's view (about 200 bytes a node), whatever the size of the fleet. This node's own service is never pulled (gossip brings it), and a
 * service not routed to for {@code idleMillis} is no longer pulled. Thread-safe.
 */
public final class MetricsObserver {

    /** Rounds without a live sample for any instance of a service before {@link ServiceStatus#missing()} says so. */
    public static final int ROUNDS_BEFORE_MISSING = 3;

    private final ClusterMetrics metrics;
    private final MetricsTransport transport;
    private final NodeAliases aliases;
    private final String ownService;
    private final long idleMillis;
    private final RandomGenerator random;
    private final Map<String, Observed> services = new ConcurrentHashMap<>();

    /**
     * @param metrics the store pulled samples go to and routing weighs
     * @param transport how pulls reach an instance
     * @param aliases what instances call themselves
     * @param ownService this node's own service, which gossip brings and is never pulled; null for none
     * @param idleMillis after how long without routing a service is no longer pulled
     * @param random the source of the instance draws
     */
    public MetricsObserver(ClusterMetrics metrics, MetricsTransport transport, NodeAliases aliases, String ownService,
            long idleMillis, RandomGenerator random) {
        this.metrics = metrics;
        this.transport = transport;
        this.aliases = aliases;
        this.ownService = ownService;
        this.idleMillis = idleMillis;
        this.random = random;
    }

    /**
     * The addresses under which the samples of {@code instances} of {@code service} are stored, in their order,
     * and a note that this node routes to the service now. The same list comes back while neither the instances
     * nor the aliases change, so that a router's per-list cache stays warm; allocation-free then.
     *
     * @param service the service id the client routes to
     * @param instances the instances' base URIs, as the client knows them
     */
    public List<String> resolve(String service, List<String> instances) {
        long now = metrics.clock().millis();
        Observed o = services.computeIfAbsent(service, s -> new Observed());
        o.lastRouted = now;
        Resolution r = o.resolution;
        long version = aliases.version();
        if (r != null && r.aliasVersion == version && r.instances.equals(instances)) {
            return r.addresses;
        }
        if (r == null || !r.instances.equals(instances)) {
            aliases.listed(service, instances);
            version = aliases.version();
        }
        List<String> addresses = instances.stream().map(aliases::resolve).toList();
        o.resolution = new Resolution(List.copyOf(instances), addresses, version);
        return addresses;
    }

    /**
     * Pulls, for every service routed to in the last {@code idleMillis} other than this node's own, one instance
     * matched to a live sample, at random, and one not yet matched, if any, in turn; each among those the
     * transport is not backing off from. Then updates each service's {@link #status()}.
     */
    public void pullRound() {
        long now = metrics.clock().millis();
        services.entrySet().removeIf(e -> now - e.getValue().lastRouted > idleMillis);
        aliases.expire();
        services.forEach((service, o) -> {
            Resolution r = o.resolution;
            if (r == null) {
                return;
            }
            List<String> unmatched = unmatched(r);
            o.roundsMissing = unmatched.size() < r.instances.size() ? 0 : o.roundsMissing + 1;
            if (service.equals(ownService) || r.instances.isEmpty()) {
                return;
            }
            Set<String> notMatched = new HashSet<>(unmatched);
            Map<Boolean, List<String>> available = r.instances.stream().filter(transport::isAvailable)
                    .collect(Collectors.partitioningBy(notMatched::contains));
            List<String> unmatchedAvailable = available.get(true);
            List<String> matched = available.get(false);
            if (!unmatchedAvailable.isEmpty()) {
                String instance = unmatchedAvailable.get((int) (o.pulls++ % unmatchedAvailable.size()));
                transport.pull(instance, service, merge(service, instance));
            }
            if (!matched.isEmpty()) {
                String instance = matched.get(random.nextInt(matched.size()));
                transport.pull(instance, service, merge(service, instance));
            }
        });
    }

    private List<String> unmatched(Resolution r) {
        List<String> unmatched = new ArrayList<>();
        List<String> addresses = r.instances.stream().map(aliases::resolve).toList();
        for (int i = 0; i < addresses.size(); i++) {
            if (metrics.get(addresses.get(i)).isEmpty()) {
                unmatched.add(r.instances.get(i));
            }
        }
        return unmatched;
    }

    /**
     * Takes from {@code instance}'s answer the samples of {@code service}'s listed instances only (the answerer's
     * own among them once its alias is learned), none stamped later than the answer arrived: an instance of
     * another service, or one that lies about the time, cannot rewrite what this client knows of the others.
     */
    private Consumer<MetricsPdu.View> merge(String service, String instance) {
        return view -> {
            aliases.learn(instance, view.self());
            Observed o = services.get(service);
            Resolution r = o == null ? null : o.resolution;
            Set<String> listed = new HashSet<>();
            (r == null ? List.of(instance) : r.instances).forEach(i -> listed.add(aliases.resolve(i)));
            long now = metrics.clock().millis();
            for (NodeMetrics m : view.metrics()) {
                if ((m.service() == null || m.service().equals(service)) && listed.contains(m.address())) {
                    metrics.publish(m.withService(service).withTimestamp(Math.min(m.timestamp(), now)));
                }
            }
        };
    }

    /** Every instance of the services routed to lately, as the client knows them. */
    public Set<String> instances() {
        Set<String> all = new HashSet<>();
        services.values().forEach(o -> {
            Resolution r = o.resolution;
            if (r != null) {
                all.addAll(r.instances);
            }
        });
        return all;
    }

    /** Every service routed to lately, by name, with what is known of its instances now. */
    public Map<String, ServiceStatus> status() {
        Map<String, ServiceStatus> status = new TreeMap<>();
        services.forEach((service, o) -> {
            Resolution r = o.resolution;
            if (r != null) {
                List<String> unmatched = unmatched(r);
                status.put(service, new ServiceStatus(service, Objects.equals(service, ownService), r.instances.size(),
                        unmatched, o.roundsMissing >= ROUNDS_BEFORE_MISSING));
            }
        });
        return status;
    }

    /**
     * What a client knows of a service it routes to.
     *
     * @param service the service id
     * @param member whether it is this node's own service, learned through gossip rather than pulled
     * @param instances how many instances the client routes among
     * @param unmatched the instances without a live sample, which routing weighs as unknown
     * @param missing whether no instance has had a live sample for {@link #ROUNDS_BEFORE_MISSING} rounds or more
     */
    public record ServiceStatus(String service, boolean member, int instances, List<String> unmatched, boolean missing) {}

    private static final class Observed {
        volatile long lastRouted;
        volatile Resolution resolution;
        volatile int roundsMissing;
        long pulls;
    }

    private record Resolution(List<String> instances, List<String> addresses, long aliasVersion) {}
}
