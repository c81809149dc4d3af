package io.clustermetrics.autoconfigure;

import io.clustermetrics.WeightedRoutees;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.cloud.loadbalancer.annotation.LoadBalancerClients;

/**
 * Every Spring Cloud LoadBalancer client routes by cluster metrics when
 * {@code cluster.metrics.loadbalancer.enabled=true}.
 */
@AutoConfiguration(after = ClusterMetricsAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.cloud.loadbalancer.annotation.LoadBalancerClients")
@ConditionalOnBooleanProperty(name = "cluster.metrics.enabled", matchIfMissing = true)
@ConditionalOnBooleanProperty("cluster.metrics.loadbalancer.enabled")
@ConditionalOnBean(WeightedRoutees.class)
@LoadBalancerClients(defaultConfiguration = ClusterMetricsLoadBalancerConfiguration.class)
public class ClusterMetricsLoadBalancerAutoConfiguration {}
