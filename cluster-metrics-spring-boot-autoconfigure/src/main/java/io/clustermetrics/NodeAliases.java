package io.clustermetrics;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Matches the URI a client knows an instance by (from a discovery client, a static list) to the address the
 * node calls itself, under which its samples are stored. Two steps: {@link NodeAddress#canonical} makes one spelling of
 * one URI (lower-case scheme and host, an explicit port, no trailing slash), and an alias learned from the
 * node's own answer ("I am {@code http://10.0.0.1:8080}") maps a canonical instance URI to the node's
 * address, so that a host name and the IP a node calls itself by meet. Thread-safe.
 */
public final class NodeAliases {

    private final Map<String, String> aliases = new ConcurrentHashMap<>();
    private volatile long version;

    /** The address the node known as {@code instance} calls itself, if it said so; else {@code instance}, canonical. */
    public String resolve(String instance) {
        String canonical = NodeAddress.canonical(instance);
        return aliases.getOrDefault(canonical, canonical);
    }

    /** Records that the node answering at {@code instance} calls itself {@code self}. */
    public synchronized void learn(String instance, String self) {
        String from = NodeAddress.canonical(instance);
        String to = NodeAddress.canonical(self);
        if (from.equals(to) ? aliases.remove(from) != null : !to.equals(aliases.put(from, to))) {
            version++;
        }
    }

    /** Counts the changes, so that a cached resolution can tell it is current. */
    public long version() {
        return version;
    }
}
