package io.clustermetrics.autoconfigure;

import io.clustermetrics.ApplicationUtilization;
import io.clustermetrics.ClusterMetrics;
import io.clustermetrics.GossipStatistics;
import io.clustermetrics.MetricsObserver;
import io.clustermetrics.MetricsProbe;
import io.clustermetrics.MetricsTransport;
import io.clustermetrics.NodeAliases;
import io.clustermetrics.UtilizationProbe;
import io.clustermetrics.aot.ClusterMetricsRuntimeHints;
import io.clustermetrics.cloud.DiscoveryGossipPeers;
import io.clustermetrics.cloud.RegisteredAddress;
import io.clustermetrics.gossip.ClusterMetricsGossip;
import io.clustermetrics.gossip.GossipPeers;
import io.clustermetrics.gossip.GossipRoundListener;
import io.clustermetrics.gossip.HttpMetricsTransport;
import io.clustermetrics.gossip.LocalNodeAddress;
import io.clustermetrics.web.reactive.ReactiveGossipEndpoint;
import io.clustermetrics.web.servlet.GossipServlet;
import io.clustermetrics.web.servlet.TomcatGossipValve;
import io.clustermetrics.wire.AllowedHosts;
import io.clustermetrics.wire.GossipCodec;
import io.clustermetrics.wire.GossipReceiver;
import io.micrometer.observation.ObservationRegistry;
import java.util.Random;
import java.util.function.Supplier;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.cloud.CloudPlatform;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.tomcat.TomcatContextCustomizer;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.cloud.client.serviceregistry.Registration;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.ImportRuntimeHints;
import org.springframework.core.env.Environment;
import org.springframework.web.client.RestClient;
import tools.jackson.databind.json.JsonMapper;

/**
 * Gossip over HTTP, for servlet and reactive apps alike: the transport (built from Spring Boot's HTTP client
 * support, with {@code gossip.ssl.bundle} for https peers and the app's {@link ObservationRegistry}), the gossip
 * task, the observer of the services this app routes to, the peers (listed, and from Spring Cloud discovery when
 * it is there), and the gossip endpoint of the app's web stack. An app without a web server observes only.
 */
@AutoConfiguration(after = ClusterMetricsAutoConfiguration.class,
        afterName = "org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration")
@ConditionalOnBooleanProperty(name = "cluster.metrics.enabled", matchIfMissing = true)
@ConditionalOnClass({RestClient.class, ClientHttpRequestFactoryBuilder.class, JsonMapper.class})
@ConditionalOnBean(ClusterMetrics.class)
@ImportRuntimeHints(ClusterMetricsRuntimeHints.class)
public class ClusterMetricsGossipAutoConfiguration {

    private static final Log log = LogFactory.getLog(ClusterMetricsGossipAutoConfiguration.class);

    /** The wire format, with a Jackson mapper of its own so that the app's settings cannot change it. */
    @Bean
    @ConditionalOnMissingBean
    public GossipCodec clusterMetricsGossipCodec() {
        return new GossipCodec();
    }

    /** Counts of gossip messages and rounds. */
    @Bean
    @ConditionalOnMissingBean
    public GossipStatistics clusterMetricsGossipStatistics() {
        return new GossipStatistics();
    }

    /** The listed peers; with Spring Cloud, {@link DiscoveryPeersConfiguration}'s replace them. */
    @Bean
    @ConditionalOnMissingBean
    public GossipPeers clusterMetricsGossipPeers(ClusterMetricsProperties properties) {
        return properties.gossip()::peers;
    }

    /**
     * The HTTP transport: Spring Boot's HTTP client (the app's {@link ClientHttpRequestFactoryBuilder} if it
     * declares one, else the one detected on the class path) with the gossip timeouts and SSL bundle, observed by
     * the app's {@link ObservationRegistry} if there is one; the transport never follows a redirect and gives
     * every exchange a deadline.
     */
    @Bean
    @ConditionalOnMissingBean
    public MetricsTransport clusterMetricsTransport(ClusterMetricsProperties properties, GossipCodec codec,
            GossipStatistics statistics, ClusterMetrics metrics, NodeAliases aliases,
            ObjectProvider<ClientHttpRequestFactoryBuilder<?>> requestFactory, ObjectProvider<SslBundles> sslBundles,
            ObjectProvider<ObservationRegistry> observations, Environment environment) {
        ClusterMetricsProperties.Gossip gossip = properties.gossip();
        return new HttpMetricsTransport(requestFactory.getIfAvailable(ClientHttpRequestFactoryBuilder::detect),
                gossip.ssl().bundle() == null ? null : sslBundles.getObject().getBundle(gossip.ssl().bundle()), gossip, codec,
                statistics, aliases, metrics.clock(), new AllowedHosts(gossip.allowedHosts()),
                observations.getIfAvailable(() -> ObservationRegistry.NOOP), serviceId(properties, environment));
    }

    /** Pulls the load of the services this app routes to, each round, and matches their instances to it. */
    @Bean
    @ConditionalOnMissingBean
    public MetricsObserver clusterMetricsObserver(ClusterMetrics metrics, MetricsTransport transport, NodeAliases aliases,
            ClusterMetricsProperties properties, Environment environment) {
        return new MetricsObserver(metrics, transport, aliases, serviceId(properties, environment),
                properties.ttl().multipliedBy(10).toMillis(), new Random());
    }

    /**
     * The gossip task: sampling (the probe, with the app's {@link ApplicationUtilization} when it has one), gossip
     * rounds, observer rounds and expiry sweeps, on its own thread.
     */
    @Bean
    @ConditionalOnMissingBean
    public ClusterMetricsGossip clusterMetricsGossip(ClusterMetrics metrics, ObjectProvider<MetricsProbe> probe,
            ObjectProvider<ApplicationUtilization> utilization,
            MetricsTransport transport, GossipPeers peers, ClusterMetricsProperties properties, ApplicationContext context,
            ObjectProvider<GossipRoundListener> listeners, GossipStatistics statistics,
            ObjectProvider<RegisteredAddress> registered, MetricsObserver observer) {
        Supplier<MetricsProbe> sampling = () -> {
            ApplicationUtilization app = utilization.getIfAvailable();
            return app == null ? probe.getObject() : new UtilizationProbe(probe.getObject(), app);
        };
        return new ClusterMetricsGossip(metrics, sampling, transport, peers, properties, () -> {
            if (properties.nodeAddress() != null) {
                return properties.nodeAddress();
            }
            RegisteredAddress registry = registered.getIfAvailable();
            String registeredAddress = registry == null ? null : registry.get();
            return registeredAddress != null ? registeredAddress : LocalNodeAddress.of(context);
        }, listeners.orderedStream().toList(), statistics, serviceId(properties, context.getEnvironment()), observer);
    }

    /** The service this node is an instance of: {@code discovery.service-id}, else {@code spring.application.name}. */
    static String serviceId(ClusterMetricsProperties properties, Environment environment) {
        String id = properties.discovery().serviceId();
        return id != null ? id : environment.getProperty("spring.application.name");
    }

    /** The gossip endpoint, in a web app: its rules, and the route of the app's web stack. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication
    static class EndpointConfiguration {

        /** The rules of the gossip endpoint, whichever web stack serves it. */
        @Bean
        @ConditionalOnMissingBean
        GossipReceiver clusterMetricsGossipReceiver(ClusterMetricsProperties properties, ClusterMetrics metrics,
                GossipCodec codec, GossipStatistics statistics, ObjectProvider<ClusterMetricsGossip> gossip,
                Environment environment) {
            ClusterMetricsProperties.Gossip settings = properties.gossip();
            settings.requireSecretOn(CloudPlatform.getActive(environment));
            if (settings.secret() == null) {
                log.warn("Cluster metrics: no cluster.metrics.gossip.secret is set, so gossip is unauthenticated and "
                        + settings.path() + " accepts loopback senders only; set a shared secret on every node");
            }
            return new GossipReceiver(metrics, codec, statistics, settings.secret(), settings.maxBodySize().toBytes(),
                    settings.maxClockSkew(), settings.path(), () -> {
                        ClusterMetricsGossip g = gossip.getIfAvailable();
                        return g == null ? null : g.localView();
                    }, () -> {
                        ClusterMetricsGossip g = gossip.getIfAvailable();
                        return g == null ? null : g.selfAddress();
                    }, new AllowedHosts(settings.allowedHosts()), settings.maxConcurrentRequests(),
                    serviceId(properties, environment));
        }

        /** The endpoint of a servlet app: a servlet of its own, whose non-blocking reads hold no thread. */
        @Configuration(proxyBeanMethods = false)
        @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
        @ConditionalOnClass(name = "jakarta.servlet.http.HttpServlet")
        static class ServletEndpointConfiguration {

            @Bean
            @ConditionalOnMissingBean(name = "clusterMetricsGossipServlet")
            ServletRegistrationBean<GossipServlet> clusterMetricsGossipServlet(GossipReceiver receiver,
                    ClusterMetricsProperties properties) {
                ServletRegistrationBean<GossipServlet> registration = new ServletRegistrationBean<>(
                        new GossipServlet(receiver, properties.gossip().receiveTimeout()), properties.gossip().path());
                registration.setName("clusterMetricsGossip");
                registration.setAsyncSupported(true);
                return registration;
            }

            /**
             * On Tomcat, the valve through which the gossip servlet closes a refused request's connection instead
             * of letting Tomcat read the rest of its body in a worker thread, and learns the connection's own
             * remote address.
             */
            @Configuration(proxyBeanMethods = false)
            @ConditionalOnClass(name = {"org.apache.catalina.Valve", "org.springframework.boot.tomcat.TomcatContextCustomizer"})
            static class TomcatConfiguration {

                @Bean
                @ConditionalOnMissingBean(name = "clusterMetricsGossipValve")
                TomcatContextCustomizer clusterMetricsGossipValve() {
                    return context -> context.getPipeline().addValve(new TomcatGossipValve("clusterMetricsGossip"));
                }
            }
        }

        /** The endpoint of a reactive (WebFlux) app. */
        @Configuration(proxyBeanMethods = false)
        @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
        @ConditionalOnClass(org.springframework.web.reactive.function.server.RouterFunction.class)
        static class ReactiveEndpointConfiguration {

            @Bean
            @ConditionalOnMissingBean(name = "clusterMetricsGossipRoute")
            org.springframework.web.reactive.function.server.RouterFunction<org.springframework.web.reactive.function.server.ServerResponse>
                    clusterMetricsGossipRoute(GossipReceiver receiver, ClusterMetricsProperties properties) {
                return new ReactiveGossipEndpoint(receiver, properties.gossip().receiveTimeout())
                        .routes(properties.gossip().path());
            }
        }
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
            return new DiscoveryGossipPeers(properties.gossip().peers(), discovery::getIfAvailable,
                    serviceId(properties, environment));
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
}
