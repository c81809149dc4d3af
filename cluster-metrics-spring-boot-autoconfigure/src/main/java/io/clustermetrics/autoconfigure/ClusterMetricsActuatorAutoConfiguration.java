package io.clustermetrics.autoconfigure;

import io.clustermetrics.ApplicationUtilization;
import io.clustermetrics.ClusterMetrics;
import io.clustermetrics.GossipStatistics;
import io.clustermetrics.MetricsObserver;
import io.clustermetrics.MetricsSelector;
import io.clustermetrics.MetricsTransport;
import io.clustermetrics.actuate.ClusterMetricsEndpoint;
import io.clustermetrics.actuate.ClusterMetricsHealthIndicator;
import io.clustermetrics.actuate.ClusterMetricsMeters;
import io.clustermetrics.actuate.MeterUtilization;
import io.clustermetrics.StaticProbe;
import io.clustermetrics.UtilizationProbe;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.ApplicationListener;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
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

    /**
     * The application's utilization from the Micrometer gauges named by {@code probe.utilization.meter}, unless the
     * app declares its own {@link ApplicationUtilization}; checked once the app is ready (when every binder, Tomcat's
     * included, has registered its gauges), so that a missing gauge or a value outside [0, 1] stops the app.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
    @ConditionalOnProperty("cluster.metrics.probe.utilization.meter")
    static class UtilizationConfiguration {

        @Bean
        @ConditionalOnMissingBean
        ApplicationUtilization clusterMetricsUtilization(ClusterMetricsProperties properties,
                ObjectProvider<MeterRegistry> registry) {
            ClusterMetricsProperties.Utilization utilization = properties.probe().utilization();
            MeterRegistry meters = registry.getIfAvailable();
            if (meters == null) {
                throw new InvalidConfigurationPropertyValueException(METER, utilization.meter(),
                        "There is no MeterRegistry to read the gauge from: add spring-boot-starter-actuator");
            }
            Tags tags = Tags.of(utilization.tags().entrySet().stream()
                    .map(tag -> Tag.of(tag.getKey(), tag.getValue())).toList());
            return new MeterUtilization(meters, utilization.meter(), utilization.capacityMeter(), tags);
        }

        @Bean
        @ConditionalOnMissingBean(name = "clusterMetricsUtilizationCheck")
        ApplicationListener<ApplicationReadyEvent> clusterMetricsUtilizationCheck(ClusterMetricsProperties properties,
                ApplicationUtilization utilization) {
            return ready -> {
                if (!(utilization instanceof MeterUtilization)) {
                    return; // the app's own: its value is checked with every sample
                }
                try {
                    new UtilizationProbe(new StaticProbe(0, 0, 0), utilization).sample("check", 0);
                } catch (IllegalStateException e) {
                    throw new InvalidConfigurationPropertyValueException(METER, properties.probe().utilization().meter(),
                            e.getMessage());
                }
            };
        }

        private static final String METER = "cluster.metrics.probe.utilization.meter";
    }

    /** Without Micrometer, a configured utilization meter cannot be read: say so rather than ignore it. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingClass("io.micrometer.core.instrument.MeterRegistry")
    @ConditionalOnProperty("cluster.metrics.probe.utilization.meter")
    static class NoMicrometerConfiguration {

        @Bean
        @ConditionalOnMissingBean
        ApplicationUtilization clusterMetricsUtilization(ClusterMetricsProperties properties) {
            throw new InvalidConfigurationPropertyValueException("cluster.metrics.probe.utilization.meter",
                    properties.probe().utilization().meter(), "Micrometer is not on the class path: add spring-boot-starter-actuator");
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

        /** Help text for the meters of the gossip observations; Boot applies it to every registry. */
        @Bean
        @ConditionalOnMissingBean(name = "clusterMetricsObservationDescriptions")
        io.micrometer.core.instrument.config.MeterFilter clusterMetricsObservationDescriptions() {
            return ClusterMetricsMeters.observationDescriptions();
        }
    }
}
