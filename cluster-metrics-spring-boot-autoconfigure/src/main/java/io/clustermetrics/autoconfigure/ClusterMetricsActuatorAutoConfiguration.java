package io.clustermetrics.autoconfigure;

import io.clustermetrics.ClusterMetrics;
import io.clustermetrics.GossipStatistics;
import io.clustermetrics.MetricsObserver;
import io.clustermetrics.MetricsSelector;
import io.clustermetrics.MetricsTransport;
import io.clustermetrics.actuate.ClusterMetricsEndpoint;
import io.clustermetrics.actuate.ClusterMetricsHealthIndicator;
import io.clustermetrics.actuate.ClusterMetricsMeters;
import io.clustermetrics.gossip.ClusterMetricsGossip;
import io.clustermetrics.gossip.HttpMetricsTransport;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.endpoint.SanitizingFunction;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The Actuator side of cluster metrics: the {@code clustermetrics} endpoint, the {@code clusterMetrics}
 * health indicator, the Micrometer meters and the masking of the gossip secret, each when its library is on
 * the class path.
 */
@AutoConfiguration(after = {ClusterMetricsAutoConfiguration.class, ClusterMetricsGossipAutoConfiguration.class})
@ConditionalOnBooleanProperty(name = "cluster.metrics.enabled", matchIfMissing = true)
@ConditionalOnBean(ClusterMetrics.class)
public class ClusterMetricsActuatorAutoConfiguration {

    /** The {@code clustermetrics} endpoint, when Actuator is on the class path and the endpoint is exposed. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.annotation.Endpoint")
    static class EndpointConfiguration {

        /** Apart, so that the endpoint condition's class is only loaded when Actuator is there. */
        @Configuration(proxyBeanMethods = false)
        @ConditionalOnAvailableEndpoint(ClusterMetricsEndpoint.class)
        static class Exposed {

            @Bean
            @ConditionalOnMissingBean
            ClusterMetricsEndpoint clusterMetricsEndpoint(ClusterMetrics metrics, MetricsSelector selector,
                    ObjectProvider<ClusterMetricsGossip> gossip) {
                return new ClusterMetricsEndpoint(metrics, selector, gossip::getIfAvailable);
            }
        }
    }

    /**
     * Masks the gossip secret wherever Actuator shows values ({@code /actuator/configprops},
     * {@code /actuator/env}), even with {@code show-values: always}: by its key, and by its value under any key.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.SanitizingFunction")
    static class SanitizingConfiguration {

        @Bean
        @ConditionalOnMissingBean(name = "clusterMetricsSecretSanitizer")
        SanitizingFunction clusterMetricsSecretSanitizer(ClusterMetricsProperties properties) {
            String secret = properties.gossip().secret();
            return data -> data.getLowerCaseKey().endsWith("gossip.secret")
                    || (secret != null && secret.equals(String.valueOf(data.getValue()))) ? data.withSanitizedValue() : data;
        }
    }

    /** The {@code clusterMetrics} health indicator, off with {@code management.health.clustermetrics.enabled=false}. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
    static class HealthConfiguration {

        @Bean
        @ConditionalOnMissingBean(name = "clusterMetricsHealthIndicator")
        @org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator("clustermetrics")
        ClusterMetricsHealthIndicator clusterMetricsHealthIndicator(ClusterMetrics metrics,
                ObjectProvider<ClusterMetricsGossip> gossip, ObjectProvider<MetricsTransport> transport,
                ObjectProvider<MetricsObserver> observer) {
            return new ClusterMetricsHealthIndicator(metrics, gossip.getIfAvailable(),
                    transport.getIfAvailable() instanceof HttpMetricsTransport http ? http : null, observer.getIfAvailable());
        }
    }

    /** Per-node gauges and gossip counters. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
    static class MetersConfiguration {

        @Bean
        @ConditionalOnMissingBean
        ClusterMetricsMeters clusterMetricsMeters(ClusterMetrics metrics, MetricsSelector selector,
                ObjectProvider<GossipStatistics> statistics) {
            return new ClusterMetricsMeters(metrics, selector, statistics.getIfAvailable());
        }
    }
}
