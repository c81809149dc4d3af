package io.clustermetrics.autoconfigure;

import io.clustermetrics.AdaptiveLoadBalancer;
import io.clustermetrics.ClusterMetrics;
import io.clustermetrics.JdkProbe;
import io.clustermetrics.MetricsProbe;
import io.clustermetrics.MetricsSelector;
import io.clustermetrics.NodeAliases;
import io.clustermetrics.OshiProbe;
import io.clustermetrics.StaticProbe;
import io.clustermetrics.WeightedRoutees;
import java.time.Duration;
import java.time.InstantSource;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;

/**
 * Cluster metrics' core: the store, this node's probe, the selector, both routers and the instance aliases.
 * Gossip is {@link ClusterMetricsGossipAutoConfiguration}'s. Every bean backs off when the app declares its
 * own; everything is off with {@code cluster.metrics.enabled=false}.
 */
@AutoConfiguration
@ConditionalOnBooleanProperty(name = "cluster.metrics.enabled", matchIfMissing = true)
@EnableConfigurationProperties(ClusterMetricsProperties.class)
public class ClusterMetricsAutoConfiguration {

    private static final Log log = LogFactory.getLog(ClusterMetricsAutoConfiguration.class);

    /**
     * The store of every node's newest sample, bounded by {@code max-nodes}, expiring after {@code ttl}; an expired
     * node's tombstone lasts twice the ttl, or longer than a message signed while it was live can be replayed (the
     * ttl and twice {@code gossip.max-clock-skew}), whichever is longer.
     */
    @Bean
    @ConditionalOnMissingBean
    public ClusterMetrics clusterMetrics(ClusterMetricsProperties properties) {
        Duration tombstones = properties.ttl().multipliedBy(2);
        Duration replayWindow = properties.ttl().plus(properties.gossip().maxClockSkew().multipliedBy(2));
        return new ClusterMetrics(properties.ttl(), properties.maxNodes(), InstantSource.system(),
                tombstones.compareTo(replayWindow) >= 0 ? tombstones : replayWindow);
    }

    /** The configured selector, which both routers use. */
    @Bean
    @ConditionalOnMissingBean
    public MetricsSelector clusterMetricsSelector(ClusterMetricsProperties properties) {
        return properties.selector();
    }

    /** What instances call themselves, learned from their answers: how a client's instance URIs meet their metrics. */
    @Bean
    @ConditionalOnMissingBean
    public NodeAliases clusterMetricsNodeAliases() {
        return new NodeAliases();
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
}
