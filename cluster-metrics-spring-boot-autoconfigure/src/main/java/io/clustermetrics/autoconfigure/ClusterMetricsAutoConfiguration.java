package io.clustermetrics.autoconfigure;

import io.clustermetrics.AdaptiveLoadBalancer;
import io.clustermetrics.ClusterMetrics;
import io.clustermetrics.JdkProbe;
import io.clustermetrics.MetricsProbe;
import io.clustermetrics.MetricsSelector;
import io.clustermetrics.MetricsTransport;
import io.clustermetrics.OshiProbe;
import io.clustermetrics.StaticProbe;
import io.clustermetrics.WeightedRoutees;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Comparator;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.cloud.client.serviceregistry.Registration;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;
import org.springframework.core.env.Environment;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.RouterFunctions;
import org.springframework.web.servlet.function.ServerResponse;
import tools.jackson.databind.json.JsonMapper;

/**
 * Cluster metrics: the store, this node's probe, the selector, both routers, and, in a servlet web app,
 * HTTP gossip between instances. Every bean backs off when the app declares its own; everything is off
 * with {@code cluster.metrics.enabled=false}.
 */
@AutoConfiguration
@ConditionalOnBooleanProperty(name = "cluster.metrics.enabled", matchIfMissing = true)
@EnableConfigurationProperties(ClusterMetricsProperties.class)
public class ClusterMetricsAutoConfiguration {

    private static final Log log = LogFactory.getLog(ClusterMetricsAutoConfiguration.class);

    /** The store of every node's newest sample, bounded by {@code max-nodes}, expiring after {@code ttl}. */
    @Bean
    @ConditionalOnMissingBean
    public ClusterMetrics clusterMetrics(ClusterMetricsProperties properties) {
        return new ClusterMetrics(properties.ttl(), properties.maxNodes());
    }

    /** The configured selector, which both routers use. */
    @Bean
    @ConditionalOnMissingBean
    public MetricsSelector clusterMetricsSelector(ClusterMetricsProperties properties) {
        return properties.selector();
    }

    /** Weighted random routing by spare capacity: the router for spreading calls. */
    @Bean
    @ConditionalOnMissingBean
    public WeightedRoutees weightedRoutees(ClusterMetrics metrics, MetricsSelector selector) {
        return new WeightedRoutees(metrics, selector);
    }

    /** The node with the most spare capacity: the router for placing one job. */
    @Bean
    @ConditionalOnMissingBean
    public AdaptiveLoadBalancer adaptiveLoadBalancer(ClusterMetrics metrics, MetricsSelector selector) {
        return new AdaptiveLoadBalancer(metrics, selector);
    }

    /**
     * An OSHI probe of this machine, the default when OSHI is on the class path; lazy, as building it reads the
     * processor topology (a few hundred milliseconds), so the gossip thread builds it rather than startup.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "oshi.SystemInfo")
    @ConditionalOnProperty(name = "cluster.metrics.probe.type", havingValue = "oshi", matchIfMissing = true)
    static class OshiProbeConfiguration {

        @Bean
        @Lazy
        @ConditionalOnMissingBean
        MetricsProbe clusterMetricsProbe(ClusterMetricsProperties properties) {
            return new OshiProbe(properties.probe().memory());
        }
    }

    /** The static probe when asked for, else the JDK probe: when chosen, or as the fallback without OSHI. */
    @Bean
    @ConditionalOnMissingBean
    public MetricsProbe clusterMetricsProbe(ClusterMetricsProperties properties) {
        ClusterMetricsProperties.Probe probe = properties.probe();
        if (probe.type() == ClusterMetricsProperties.ProbeType.STATIC) {
            ClusterMetricsProperties.StaticValues values = probe.staticValues();
            return new StaticProbe(values.cpuLoad(), values.memoryUsed(), values.memoryMax());
        }
        if (probe.type() == ClusterMetricsProperties.ProbeType.OSHI) {
            log.info("Cluster metrics: OSHI is not on the class path; reading this node's load from the JDK instead");
        }
        return new JdkProbe(probe.memory());
    }

    /** Gossip over HTTP between instances of a servlet web app. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    @ConditionalOnClass({RouterFunction.class, JsonMapper.class})
    static class GossipConfiguration {

        @Bean
        @ConditionalOnMissingBean
        GossipCodec clusterMetricsGossipCodec() {
            return new GossipCodec();
        }

        @Bean
        @ConditionalOnMissingBean
        GossipStatistics clusterMetricsGossipStatistics() {
            return new GossipStatistics();
        }

        /** The listed peers and the discovery client's instances of this service, when Spring Cloud is there. */
        @Configuration(proxyBeanMethods = false)
        @ConditionalOnClass(name = "org.springframework.cloud.client.discovery.DiscoveryClient")
        @ConditionalOnBooleanProperty(name = "cluster.metrics.discovery.enabled", matchIfMissing = true)
        static class DiscoveryPeersConfiguration {

            @Bean
            @ConditionalOnMissingBean
            GossipPeers clusterMetricsGossipPeers(ClusterMetricsProperties properties, Environment environment,
                    ObjectProvider<DiscoveryClient> discovery) {
                String serviceId = properties.discovery().serviceId() != null
                        ? properties.discovery().serviceId()
                        : environment.getProperty("spring.application.name");
                return new DiscoveryGossipPeers(properties.gossip().peers(), discovery::getIfAvailable, serviceId);
            }
        }

        /** This node's registered URI, when Spring Cloud is there and the app registers itself (Eureka, Consul). */
        @Configuration(proxyBeanMethods = false)
        @ConditionalOnClass(name = "org.springframework.cloud.client.serviceregistry.Registration")
        static class RegisteredAddressConfiguration {

            @Bean
            @ConditionalOnMissingBean
            RegisteredAddress clusterMetricsRegisteredAddress(ObjectProvider<Registration> registration) {
                return () -> {
                    Registration self = registration.getIfUnique();
                    return self == null ? null : self.getUri().toString();
                };
            }
        }

        @Bean
        @ConditionalOnMissingBean
        GossipPeers clusterMetricsGossipPeers(ClusterMetricsProperties properties) {
            return properties.gossip()::peers;
        }

        @Bean
        @ConditionalOnMissingBean
        MetricsTransport clusterMetricsTransport(ClusterMetricsProperties properties, GossipCodec codec,
                GossipStatistics statistics, ClusterMetrics metrics) {
            return new HttpMetricsTransport(properties.gossip(), codec, statistics, metrics.clock());
        }

        @Bean
        @ConditionalOnMissingBean(name = "clusterMetricsGossipRoute")
        RouterFunction<ServerResponse> clusterMetricsGossipRoute(ClusterMetricsProperties properties, ClusterMetrics metrics,
                GossipCodec codec, GossipStatistics statistics) {
            if (properties.gossip().secret() == null) {
                log.warn("Cluster metrics: no cluster.metrics.gossip.secret is set, so gossip is unauthenticated and "
                        + properties.gossip().path() + " accepts loopback senders only; set a shared secret on every node");
            }
            GossipEndpoint endpoint = new GossipEndpoint(metrics, codec, statistics, properties.gossip());
            return RouterFunctions.route().POST(properties.gossip().path(), endpoint).build();
        }

        @Bean
        @ConditionalOnMissingBean
        ClusterMetricsGossip clusterMetricsGossip(ClusterMetrics metrics, ObjectProvider<MetricsProbe> probe,
                MetricsTransport transport,
                GossipPeers peers, ClusterMetricsProperties properties, ApplicationContext context,
                ObjectProvider<GossipRoundListener> listeners, GossipStatistics statistics,
                ObjectProvider<RegisteredAddress> registered) {
            return new ClusterMetricsGossip(metrics, probe::getObject, transport, peers, properties, () -> {
                if (properties.nodeAddress() != null) {
                    return properties.nodeAddress();
                }
                RegisteredAddress registry = registered.getIfAvailable();
                String registeredAddress = registry == null ? null : registry.get();
                return registeredAddress != null ? registeredAddress : defaultNodeAddress(context);
            }, listeners.orderedStream().toList(), statistics);
        }

        /**
         * {@code http://<server.address or this host's address>:<the port the server listens on>}; null
         * without an embedded server.
         */
        private static String defaultNodeAddress(ApplicationContext context) {
            if (!(context instanceof WebServerApplicationContext web) || web.getWebServer() == null) {
                return null;
            }
            int port = web.getWebServer().getPort();
            Environment env = context.getEnvironment();
            String host = env.getProperty("server.address");
            if (host == null || host.equals("0.0.0.0") || host.equals("::")) {
                host = hostAddress();
            }
            return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }

        /**
         * The address this host's name resolves to, unless that is a loopback address (Debian maps the host
         * name to 127.0.1.1): then the first address, IPv4 first, of an interface that is up, neither loopback
         * nor link-local; the loopback address if there is none.
         */
        private static String hostAddress() {
            try {
                InetAddress named = InetAddress.getLocalHost();
                if (!named.isLoopbackAddress()) {
                    return named.getHostAddress();
                }
                return NetworkInterface.networkInterfaces().filter(ClusterMetricsAutoConfiguration::isUp)
                        .flatMap(NetworkInterface::inetAddresses)
                        .filter(a -> !a.isLoopbackAddress() && !a.isLinkLocalAddress())
                        .min(Comparator.comparing(a -> a instanceof Inet6Address))
                        .map(a -> a.getHostAddress().replaceFirst("%.*", ""))
                        .orElse(named.getHostAddress());
            } catch (IOException e) {
                return InetAddress.getLoopbackAddress().getHostAddress();
            }
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
