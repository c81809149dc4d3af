package io.clustermetrics;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * A node's address: an absolute {@code http} or {@code https} URI with a host and a port and nothing else, in one
 * spelling per node ({@code scheme://host:port}, scheme and host in lower case, the default port made explicit).
 * An address becomes an outgoing request, a log line and a page, so one a peer sends is {@link #parse parsed}
 * strictly before anything else happens to it.
 */
public final class NodeAddress {

    /** The longest address accepted, in characters. */
    public static final int MAX_LENGTH = 256;

    private NodeAddress() {}

    /**
     * The canonical form of {@code address}, or an {@link IllegalArgumentException} saying why it is not a node
     * address: longer than {@link #MAX_LENGTH}, a character outside printable ASCII, not an absolute http or https
     * URI, user info, no host, a path other than {@code /}, a query or a fragment.
     */
    public static String parse(String address) {
        if (address == null || address.isEmpty()) {
            throw new IllegalArgumentException("a node address must not be empty");
        }
        if (address.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("a node address is at most " + MAX_LENGTH + " characters");
        }
        if (!address.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new IllegalArgumentException("a node address holds printable ASCII characters only, no spaces");
        }
        URI uri;
        try {
            uri = new URI(address);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("a node address must be a URI: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("a node address is an http or https URI");
        }
        if (uri.getHost() == null || uri.getRawUserInfo() != null || uri.getHost().contains("%")) {
            throw new IllegalArgumentException("a node address has a host, and no user info");
        }
        String path = uri.getRawPath();
        if ((path != null && !path.isEmpty() && !path.equals("/")) || uri.getRawQuery() != null
                || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("a node address has no path, query or fragment: scheme://host:port");
        }
        int port = uri.getPort() >= 0 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("a node address's port is within 1 to 65535");
        }
        return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + ":" + port;
    }

    /** Whether {@code address} is a node address. */
    public static boolean isValid(String address) {
        try {
            parse(address);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** {@link #parse The canonical form} of {@code address}; anything that is not a node address as it is. */
    public static String canonical(String address) {
        try {
            String canonical = parse(address);
            return canonical.equals(address) ? address : canonical;
        } catch (IllegalArgumentException e) {
            return address;
        }
    }

    /** The port of a {@link #parse parsed} address. */
    public static int port(String address) {
        return URI.create(address).getPort();
    }

    /** The host of a {@link #parse parsed} address: a name, an IPv4 literal or a bracketed IPv6 literal. */
    public static String host(String address) {
        return URI.create(address).getHost();
    }
}
