package io.clustermetrics;

import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Matches the URI a client knows an instance by (from a discovery client, a static list) to the address the
 * node calls itself, under which its samples are stored. Two steps: {@link #canonical} makes one spelling of
 * one URI (lower-case scheme and host, an explicit port, no trailing slash), and an alias learned from the
 * node's own answer ("I am {@code http://10.0.0.1:8080}") maps a canonical instance URI to the node's
 * address, so that a host name and the IP a node calls itself by meet. Thread-safe.
 */
public final class NodeAliases {

    private final Map<String, String> aliases = new ConcurrentHashMap<>();
    private volatile long version;

    /**
     * {@code scheme://host:port} for an http or https URI with a host: scheme and host in lower case, the
     * scheme's default port made explicit, path, query and fragment dropped (a base URI has none but a
     * trailing slash). Anything else is returned as it is.
     */
    public static String canonical(String address) {
        URI uri;
        try {
            uri = URI.create(address);
        } catch (IllegalArgumentException e) {
            return address;
        }
        String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
        if (uri.getHost() == null || !("http".equals(scheme) || "https".equals(scheme))) {
            return address;
        }
        int port = uri.getPort() >= 0 ? uri.getPort() : "https".equals(scheme) ? 443 : 80;
        String canonical = scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + ":" + port;
        return canonical.equals(address) ? address : canonical;
    }

    /** The address the node known as {@code instance} calls itself, if it said so; else {@code instance}, canonical. */
    public String resolve(String instance) {
        String canonical = canonical(instance);
        return aliases.getOrDefault(canonical, canonical);
    }

    /** Records that the node answering at {@code instance} calls itself {@code self}. */
    public synchronized void learn(String instance, String self) {
        String from = canonical(instance);
        String to = canonical(self);
        if (from.equals(to) ? aliases.remove(from) != null : !to.equals(aliases.put(from, to))) {
            version++;
        }
    }

    /** Counts the changes, so that a cached resolution can tell it is current. */
    public long version() {
        return version;
    }
}
