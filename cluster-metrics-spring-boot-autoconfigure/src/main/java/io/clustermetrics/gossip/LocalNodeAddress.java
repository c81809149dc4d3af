package io.clustermetrics.gossip;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Comparator;
import org.springframework.context.ApplicationContext;
import org.springframework.core.env.Environment;
import org.springframework.boot.web.server.context.WebServerApplicationContext;

/** The address a node calls itself when nothing says otherwise: where its embedded web server listens. */
public final class LocalNodeAddress {

    private LocalNodeAddress() {}

    /**
     * {@code http(s)://<server.address or this host's address>:<the port the server listens on>}; null without an
     * embedded server.
     */
    public static String of(ApplicationContext context) {
        if (!(context instanceof WebServerApplicationContext web) || web.getWebServer() == null) {
            return null;
        }
        int port = web.getWebServer().getPort();
        if (port < 0) {
            return null;
        }
        String host = context.getEnvironment().getProperty("server.address");
        if (host == null || host.equals("0.0.0.0") || host.equals("::")) {
            host = hostAddress();
        }
        Environment env = context.getEnvironment();
        boolean ssl = env.getProperty("server.ssl.enabled", Boolean.class, true)
                && (env.containsProperty("server.ssl.bundle") || env.containsProperty("server.ssl.key-store"));
        String scheme = ssl ? "https" : "http";
        return scheme + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /**
     * The address this host's name resolves to, unless that is a loopback address (Debian maps the host name
     * to 127.0.1.1): then the first address, IPv4 first, of an interface that is up, neither loopback nor
     * link-local; the loopback address if there is none.
     */
    private static String hostAddress() {
        try {
            InetAddress named = InetAddress.getLocalHost();
            if (!named.isLoopbackAddress()) {
                return named.getHostAddress();
            }
            return NetworkInterface.networkInterfaces().filter(LocalNodeAddress::isUp)
                    .flatMap(NetworkInterface::inetAddresses)
                    .filter(a -> !a.isLoopbackAddress() && !a.isLinkLocalAddress())
                    .min(Comparator.comparing(a -> a instanceof Inet6Address))
                    .map(a -> a.getHostAddress().replaceFirst("%.*", ""))
                    .orElse(named.getHostAddress());
        } catch (IOException e) {
            return InetAddress.getLoopbackAddress().getHostAddress();
        }
    }

    private static boolean isUp(NetworkInterface network) {
        try {
            return network.isUp();
        } catch (SocketException e) {
            return false;
        }
    }
}
