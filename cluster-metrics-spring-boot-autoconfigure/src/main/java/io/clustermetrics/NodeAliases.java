package io.clustermetrics;

import java.time.Duration;
import java.time.InstantSource;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Matches the URI a client knows an instance by (from a discovery client, a static list) to the address the
 * node calls itself, under which its samples are stored. Two steps: {@link NodeAddress#canonical} makes one spelling of
 * one URI (lower-case scheme and host, an explicit port, no trailing slash), and an alias learned from the
 * node's own answer ("I am {@code http://10.0.0.1:8080}") maps a canonical instance URI to the node's
 * address, so that a host name and the IP a node calls itself by meet.
 *
 * <p>An answer is a claim, and an instance could claim to be another to take its traffic, so an alias is taken
 * only when it is consistent: never to the URI of a {@link #listed listed} instance (that instance answers for
 * itself), and never to a node another instance already claims: two instances claiming one node are both left
 * unmatched for an alias lifetime. An alias lasts its lifetime unless the node says so again. Thread-safe.
 */
public final class NodeAliases {

    /** How long an alias lasts unless the node says so again. */
    public static final Duration DEFAULT_LIFETIME = Duration.ofMinutes(10);

    private record Alias(String to, long learnedAt) {}

    private final Map<String, Alias> aliases = new ConcurrentHashMap<>();
    private final Map<String, Long> contested = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> listed = new ConcurrentHashMap<>();
    private final InstantSource clock;
    private final long lifetimeMillis;
    private volatile long version;

    /** Aliases lasting {@link #DEFAULT_LIFETIME} on the system clock. */
    public NodeAliases() {
        this(InstantSource.system(), DEFAULT_LIFETIME);
    }

    /**
     * @param clock when aliases are learned and expire
     * @param lifetime how long an alias lasts unless the node says so again
     */
    public NodeAliases(InstantSource clock, Duration lifetime) {
        this.clock = clock;
        this.lifetimeMillis = lifetime.toMillis();
    }

    /** The address the node known as {@code instance} calls itself, if it said so; else {@code instance}, canonical. */
    public String resolve(String instance) {
        String canonical = NodeAddress.canonical(instance);
        Alias alias = aliases.get(canonical);
        return alias == null ? canonical : alias.to;
    }

    /**
     * Records that the node answering at {@code instance} calls itself {@code self}, if that is consistent.
     *
     * @return whether the alias is taken (or none is needed)
     */
    public synchronized boolean learn(String instance, String self) {
        String from = NodeAddress.canonical(instance);
        String to = NodeAddress.canonical(self);
        long now = clock.millis();
        if (from.equals(to)) {
            forget(from);
            return true;
        }
        boolean claimedByAnother = aliases.entrySet().stream().anyMatch(e -> !e.getKey().equals(from) && e.getValue().to.equals(to));
        if (claimedByAnother) {
            contested.put(to, now + lifetimeMillis);
            aliases.values().removeIf(alias -> alias.to.equals(to));
            version++;
        }
        if (claimedByAnother || contested.getOrDefault(to, Long.MIN_VALUE) > now || isListed(to)) {
            forget(from);
            return false;
        }
        Alias old = aliases.put(from, new Alias(to, now));
        if (old == null || !old.to.equals(to)) {
            version++;
        }
        return true;
    }

    /**
     * Tells the instances a client routes among for {@code service}: no alias may name one of them, as each answers
     * for itself.
     */
    public synchronized void listed(String service, Collection<String> instances) {
        Set<String> canonical = Set.copyOf(instances.stream().map(NodeAddress::canonical).toList());
        listed.put(service, canonical);
        if (aliases.values().removeIf(alias -> canonical.contains(alias.to))) {
            version++;
        }
    }

    /** Drops the aliases not said again within their lifetime. */
    public synchronized void expire() {
        long now = clock.millis();
        contested.values().removeIf(until -> until <= now);
        if (aliases.values().removeIf(alias -> now - alias.learnedAt >= lifetimeMillis)) {
            version++;
        }
    }

    /** Counts the changes, so that a cached resolution can tell it is current. */
    public long version() {
        return version;
    }

    private boolean isListed(String address) {
        return listed.values().stream().anyMatch(instances -> instances.contains(address));
    }

    private void forget(String from) {
        if (aliases.remove(from) != null) {
            version++;
        }
    }
}
