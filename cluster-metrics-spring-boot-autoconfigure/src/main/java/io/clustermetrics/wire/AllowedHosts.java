package io.clustermetrics.wire;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The hosts that addresses learned from peers may name ({@code cluster.metrics.gossip.allowed-hosts}): exact host
 * names, {@code *.suffix} patterns, IP literals and CIDR blocks ({@code 10.0.0.0/8}, {@code fd00::/8}). Empty
 * allows every host. An address's host is only ever compared as text or as an IP literal: nothing is looked up.
 */
public final class AllowedHosts {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private final List<String> entries;

    /**
     * @param entries host names, {@code *.suffix} patterns, IP literals and CIDR blocks; none for every host
     * @throws IllegalArgumentException for an entry that is none of these
     */
    public AllowedHosts(List<String> entries) {
        this.entries = entries.stream().map(e -> e.trim().toLowerCase(Locale.ROOT)).toList();
        this.entries.forEach(AllowedHosts::check);
    }

    private static void check(String entry) {
        if (entry.contains("/")) {
            String[] parts = entry.split("/", 2);
            InetAddress network = literal(parts[0]);
            int bits;
            try {
                bits = Integer.parseInt(parts[1]);
            } catch (NumberFormatException e) {
                bits = -1;
            }
            if (network == null || bits < 0 || bits > network.getAddress().length * 8) {
                throw new IllegalArgumentException("not a CIDR block: " + entry);
            }
        } else if (entry.isEmpty() || !entry.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new IllegalArgumentException("not a host name, pattern or address: " + entry);
        }
    }

    /** Whether every host is allowed. */
    public boolean allowsAll() {
        return entries.isEmpty();
    }

    /** Whether {@code host} (a name, an IPv4 literal or a bracketed IPv6 literal) is allowed. */
    public boolean allows(String host) {
        if (entries.isEmpty()) {
            return true;
        }
        String h = host.toLowerCase(Locale.ROOT);
        InetAddress ip = literal(h);
        for (String entry : entries) {
            if (entry.equals(h) || (entry.startsWith("*.") && h.endsWith(entry.substring(1)))
                    || (ip != null && matches(ip, entry))) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(InetAddress ip, String entry) {
        String[] parts = entry.split("/", 2);
        InetAddress network = literal(parts[0]);
        if (network == null || network.getAddress().length != ip.getAddress().length) {
            return false;
        }
        int length = ip.getAddress().length * 8;
        int bits = parts.length == 2 ? Integer.parseInt(parts[1]) : length;
        BigInteger mask = BigInteger.ONE.shiftLeft(length).subtract(BigInteger.ONE)
                .xor(BigInteger.ONE.shiftLeft(length - bits).subtract(BigInteger.ONE));
        return new BigInteger(1, ip.getAddress()).and(mask).equals(new BigInteger(1, network.getAddress()).and(mask));
    }

    /** The address an IP literal stands for (IPv6 with or without brackets), or null for a name: never a lookup. */
    static InetAddress literal(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (!IPV4.matcher(h).matches() && !(h.contains(":") && h.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.'))) {
            return null;
        }
        try {
            return InetAddress.getByName(h);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
