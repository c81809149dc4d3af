package io.clustermetrics.cloud;

/**
 * This node's address as a Spring Cloud service registry (Eureka, Consul) has it, so that a node calls itself
 * what its peers' discovery clients and load balancers call it.
 */
@FunctionalInterface
public interface RegisteredAddress {

    /** The base URI this node is registered under; null when it does not register itself. */
    String get();
}
