package io.clustermetrics.autoconfigure;

import io.clustermetrics.MemorySource;
import io.clustermetrics.MetricsSelector;
import io.clustermetrics.NodeAddress;
import io.clustermetrics.NodeMetrics;
import io.clustermetrics.wire.AllowedHosts;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.boot.cloud.CloudPlatform;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.context.properties.bind.Name;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.util.unit.DataSize;

/**
 * Cluster metrics settings, under {@code cluster.metrics}. Intervals and the half-life default to Akka
 * Cluster Metrics' reference.conf (3 s collect and gossip intervals, 12 s moving-average half-life).
 *
 * @param enabled Whether cluster metrics are on: the store, the probe, routing, gossip and the actuator parts.
 * @param nodeAddress This node's identity, the base URL its peers reach it at. By default the URI it is
 *     registered under in a Spring Cloud service registry (Eureka, Consul), else
 *     http://(server.address, or this host's address):(the port the server actually listens on).
 * @param selector What turns a sample into a routing weight: cpu-and-utilization (the default: spare CPU, or
 *     spare application capacity when the app reports a utilization and it is the scarcer), cpu, utilization,
 *     heap, mix (the mean of cpu and heap) or system-load-average. Of the CPU-based ones, cpu has the lowest
 *     tail latency in the routing simulation (heap reads the garbage collector's cycle rather than load, and
 *     system-load-average saturates at one runnable thread per processor).
 * @param probe How this node's load is read.
 * @param sampleInterval How often this node samples its own load (Akka's default: 3s).
 * @param movingAverageHalfLife After how long an old reading's weight in the smoothed sample has halved
 *     (Akka's default: 12s).
 * @param gossip How samples travel between nodes.
 * @param ttl How long a node stays in the view and in routing after its newest sample arrived, on this
 *     node's clock. Longer than a few gossip intervals.
 * @param maxNodes The most nodes tracked at once, whatever senders claim. When full, new addresses are
 *     dropped and known live nodes keep their place.
 * @param discovery Peers from Spring Cloud's DiscoveryClient, when it is on the class path, and the service this
 *     node is an instance of.
 * @param loadbalancer Metrics-weighted routing for Spring Cloud LoadBalancer clients.
 */
@ConfigurationProperties("cluster.metrics")
public record ClusterMetricsProperties(
        @DefaultValue("true") boolean enabled,
        String nodeAddress,
        @DefaultValue("cpu-and-utilization") MetricsSelector selector,
        @DefaultValue Probe probe,
        @DefaultValue("3s") Duration sampleInterval,
        @DefaultValue("12s") Duration movingAverageHalfLife,
        @DefaultValue Gossip gossip,
        @DefaultValue("15s") Duration ttl,
        @DefaultValue("1000") int maxNodes,
        @DefaultValue Discovery discovery,
        @DefaultValue LoadBalancer loadbalancer) {

    /** Checks the settings once, at binding, so that a mistake stops the app with a clear message. */
    public ClusterMetricsProperties {
        requirePositive("sample-interval", sampleInterval);
        requirePositive("moving-average-half-life", movingAverageHalfLife);
        requirePositive("ttl", ttl);
        Duration slowest = gossip.interval().compareTo(sampleInterval) > 0 ? gossip.interval() : sampleInterval;
        require(ttl.compareTo(slowest) >= 0, "ttl", ttl, "must be at least gossip.interval and sample-interval (" + slowest
                + "), or nodes leave the view between their samples");
        require(maxNodes >= 1, "max-nodes", maxNodes, "must be at least 1");
        if (nodeAddress != null) {
            requireNodeAddress("node-address", nodeAddress);
        }
    }

    /**
     * Refuses a setting: Boot's failure report then names the property, its value and where it was set (the
     * yml file and line, say), as it does for a value it cannot convert.
     */
    private static void require(boolean valid, String name, Object value, String reason) {
        if (!valid) {
            throw new InvalidConfigurationPropertyValueException("cluster.metrics." + name, value, reason);
        }
    }

    private static void requireNodeAddress(String name, String address) {
        try {
            NodeAddress.parse(address);
        } catch (IllegalArgumentException e) {
            require(false, name, address, "must be scheme://host:port: " + e.getMessage());
        }
    }

    private static void requirePositive(String name, Duration d) {
        require(!d.isNegative() && !d.isZero(), name, d, "must be positive");
    }

    /** Which kind of probe reads this node's load. */
    public enum ProbeType {
        /** OSHI: CPU ticks, memory, load average, container limits. The default when OSHI is on the class path. */
        OSHI,
        /** The JDK's operating system bean: no extra library; the fallback without OSHI. */
        JDK,
        /** Fixed values from {@code cluster.metrics.probe.static}: for tests and demos. */
        STATIC
    }

    /**
     * How this node's load is read.
     *
     * @param type Where the load is read: oshi, jdk or static. oshi falls back to jdk when OSHI is not on the class path.
     * @param memory Which memory is reported: system (the machine's or container's) or heap (the JVM's).
     * @param staticValues The values a static probe reports.
     * @param utilization The application's own utilization, read from Micrometer gauges and gossiped with each
     *     sample. An ApplicationUtilization bean, when the app declares one, is used instead.
     */
    public record Probe(
            @DefaultValue("oshi") ProbeType type,
            @DefaultValue("system") MemorySource memory,
            @Name("static") @DefaultValue StaticValues staticValues,
            @DefaultValue Utilization utilization) {}

    /**
     * The application's own utilization, as gRPC's ORCA {@code application_utilization}: for an app limited by a
     * pool rather than by CPU. Read once per sample; the app fails to start when the gauge is missing once it is
     * ready, or its value is not within [0, 1].
     *
     * @param meter Name of the Micrometer gauge that gives the utilization, 0 to 1, or with capacity-meter the busy
     *     count: tomcat.threads.busy, executor.active, hikaricp.connections.active. The values of every gauge of
     *     that name and tags are added up. Unset, the default: no utilization is reported.
     * @param capacityMeter Name of the gauge that meter is divided by, the pool's size: tomcat.threads.config.max,
     *     executor.pool.max, hikaricp.connections.max.
     * @param tags Tags both gauges must carry, to choose one pool among several (name: applicationTaskExecutor).
     */
    public record Utilization(String meter, String capacityMeter, @DefaultValue Map<String, String> tags) {

        /** Checks the settings at binding. */
        public Utilization {
            require(meter == null || !meter.isBlank(), "probe.utilization.meter", meter, "must name a gauge");
            require(capacityMeter == null || (meter != null && !capacityMeter.isBlank()), "probe.utilization.capacity-meter",
                    capacityMeter, "divides the meter: set cluster.metrics.probe.utilization.meter too, and name a gauge");
            tags = Map.copyOf(tags);
        }
    }

    /**
     * The values a static probe reports.
     *
     * @param cpuLoad CPU load a static probe reports, 0 to 1.
     * @param memoryUsed Used memory a static probe reports, in bytes.
     * @param memoryMax Memory limit a static probe reports, in bytes.
     */
    public record StaticValues(
            @DefaultValue("0") double cpuLoad,
            @DefaultValue("0") long memoryUsed,
            @DefaultValue("0") long memoryMax) {

        /** Checks the values at binding. */
        public StaticValues {
            require(cpuLoad >= 0 && cpuLoad <= 1, "probe.static.cpu-load", cpuLoad, "must be within [0, 1]");
            require(memoryUsed >= 0, "probe.static.memory-used", memoryUsed, "must not be negative");
            require(memoryMax >= 0, "probe.static.memory-max", memoryMax, "must not be negative");
        }
    }

    /**
     * How samples travel between nodes.
     *
     * @param interval How often this node sends its view (Akka's default: 3s).
     * @param fanout To how many random peers each round goes.
     * @param peers Base URLs of peers to gossip with, besides those learned through gossip.
     * @param secret Shared key. When set, every message is signed with HMAC-SHA256 and unsigned ones are
     *     refused; when not set, only loopback senders are accepted.
     * @param path Path of the gossip endpoint, on every node.
     * @param maxBodySize Largest message accepted. Larger views are split by the sender.
     * @param connectTimeout How long a send waits for a connection.
     * @param readTimeout How long a send waits for the answer. A whole exchange (connecting, sending, reading the
     *     answer) is aborted, and counts as failed, after connect-timeout + read-timeout.
     * @param maxClockSkew How far a signed message's timestamp may be from this node's clock. Others are
     *     refused as replays, with this node's clock, in which the sender signs its next messages.
     * @param ssl TLS for gossip to https peers.
     * @param allowedHosts Hosts that node addresses learned from peers may name: host names, *.suffix patterns, IP
     *     addresses and CIDR blocks (10.0.0.0/8). A message naming another host is refused. Empty, the default,
     *     allows every host, since instances' addresses (pod IPs, say) are seldom known in advance; with a secret
     *     set only its holders can name a node. Set it where gossip and routing must never reach some hosts.
     * @param maxConcurrentRequests How many gossip requests this node receives at once; more are refused with 503
     *     before their body is read, so that slow senders cannot take the server's threads or memory.
     * @param receiveTimeout How long a gossip request's body may take to arrive; then it is refused with 408.
     * @param allowUnauthenticatedOnCloudPlatform Whether a node on a detected cloud platform (Kubernetes, Cloud
     *     Foundry, Heroku and others) may serve gossip without a secret. Dangerous, hence off: there loopback is not
     *     this app alone (a sidecar proxy, another container of the pod, a host-network pod) and Boot honours
     *     forwarding headers, so an unauthenticated node could take samples relayed from anyone, who would then
     *     steer its routing.
     */
    public record Gossip(
            @DefaultValue("3s") Duration interval,
            @DefaultValue("3") int fanout,
            @DefaultValue List<String> peers,
            String secret,
            @DefaultValue("/cluster-metrics/gossip") String path,
            @DefaultValue("64KB") DataSize maxBodySize,
            @DefaultValue("1s") Duration connectTimeout,
            @DefaultValue("2s") Duration readTimeout,
            @DefaultValue("30s") Duration maxClockSkew,
            @DefaultValue Ssl ssl,
            @DefaultValue List<String> allowedHosts,
            @DefaultValue("16") int maxConcurrentRequests,
            @DefaultValue("5s") Duration receiveTimeout,
            @DefaultValue("false") boolean allowUnauthenticatedOnCloudPlatform) {

        /** Checks the settings once, at binding. */
        public Gossip {
            requirePositive("gossip.interval", interval);
            requirePositive("gossip.connect-timeout", connectTimeout);
            requirePositive("gossip.read-timeout", readTimeout);
            requirePositive("gossip.max-clock-skew", maxClockSkew);
            requirePositive("gossip.receive-timeout", receiveTimeout);
            require(maxConcurrentRequests >= 1, "gossip.max-concurrent-requests", maxConcurrentRequests, "must be at least 1");
            require(fanout >= 1, "gossip.fanout", fanout, "must be at least 1");
            require(path.startsWith("/") && path.chars().noneMatch(c -> c <= ' ' || c == '?' || c == '#'), "gossip.path", path,
                    "must start with / and hold no spaces, ? or #");
            require(maxBodySize.toBytes() >= 1024, "gossip.max-body-size", maxBodySize,
                    "must be at least 1KB, or every message (a sample is about 300 bytes) is refused with 413");
            require(secret == null || !secret.isBlank(), "gossip.secret", "******", "must not be blank: set a key, or none");
            peers = List.copyOf(peers);
            peers.forEach(peer -> requireNodeAddress("gossip.peers", peer));
            allowedHosts = List.copyOf(allowedHosts);
            try {
                new AllowedHosts(allowedHosts);
            } catch (IllegalArgumentException e) {
                require(false, "gossip.allowed-hosts", allowedHosts, e.getMessage());
            }
        }

        /**
         * Refuses to serve gossip without a secret on a detected cloud platform ({@code platform}; null for none),
         * unless {@code allow-unauthenticated-on-cloud-platform} says so.
         */
        void requireSecretOn(CloudPlatform platform) {
            require(platform == null || secret != null || allowUnauthenticatedOnCloudPlatform, "gossip.secret", "(none)",
                    "must be set on a cloud platform (" + platform + " detected): there loopback may be a sidecar's or "
                    + "another container's and forwarding headers are honoured, so unauthenticated gossip would take "
                    + "samples relayed from anyone; set a shared secret on every node, or accept that risk with "
                    + "cluster.metrics.gossip.allow-unauthenticated-on-cloud-platform=true");
        }

        /** Never shows the secret. */
        @Override
        public String toString() {
            return "Gossip[interval=" + interval + ", fanout=" + fanout + ", peers=" + peers + ", secret="
                    + (secret == null ? "none" : "******") + ", path=" + path + ", maxBodySize=" + maxBodySize
                    + ", ssl=" + ssl + ", allowedHosts=" + allowedHosts + "]";
        }
    }

    /**
     * TLS for gossip to https peers.
     *
     * @param bundle Name of the SSL bundle (spring.ssl.bundle.*) whose trust material verifies https peers, and
     *     whose key material, if any, is this node's client certificate. Without it, https peers are verified
     *     against the JDK's default trust store.
     */
    public record Ssl(String bundle) {}

    /**
     * Peers from Spring Cloud's {@code DiscoveryClient} (Eureka, Consul, Kubernetes, Zookeeper), asked every
     * gossip round, together with {@code gossip.peers}. An instance's address is its base URI, so a node's
     * {@code node-address} must be the URI the discovery server gives for it.
     *
     * @param enabled Whether to take peers from the discovery client when there is one.
     * @param serviceId Service this node is an instance of: its samples name it, it gossips with that service's
     *     nodes only, and its peers are the discovery client's instances of it. By default spring.application.name.
     */
    public record Discovery(@DefaultValue("true") boolean enabled, String serviceId) {

        /** Checks the service id at binding, as a sample's service is checked. */
        public Discovery {
            require(serviceId == null || NodeMetrics.isServiceName(serviceId), "discovery.service-id", serviceId,
                    "must be " + NodeMetrics.SERVICE_NAME_RULE);
        }
    }

    /**
     * Metrics-aware routing for {@code @LoadBalanced} clients.
     *
     * @param enabled Whether every Spring Cloud LoadBalancer client routes by cluster metrics, also to services
     *     this app is not an instance of: their load is pulled from one of their instances each gossip
     *     interval. For one client only, name ClusterMetricsLoadBalancerConfiguration as the configuration of
     *     its LoadBalancerClient annotation instead.
     * @param strategy How a client picks an instance: capacity-aware (power of two choices by gossiped capacity
     *     and this client's in-flight calls and latency) or weighted (weighted random by the selector's weights).
     * @param abandonAfter How long a call may go without Spring Cloud reporting its end (a cancelled WebClient
     *     or Gateway exchange is never reported) before capacity-aware routing stops counting it in flight.
     *     Longer than the slowest call.
     */
    public record LoadBalancer(
            @DefaultValue("false") boolean enabled,
            @DefaultValue("capacity-aware") RoutingStrategy strategy,
            @DefaultValue("1m") Duration abandonAfter) {

        /** Checks the settings at binding. */
        public LoadBalancer {
            requirePositive("loadbalancer.abandon-after", abandonAfter);
        }
    }

    /** How a Spring Cloud LoadBalancer client picks an instance. */
    public enum RoutingStrategy {

        /**
         * {@link io.clustermetrics.CapacityAwareRoutees}: power of two choices drawn by gossiped capacity, the
         * cheaper by this client's in-flight calls and latency. The lowest tail latency in the routing
         * simulation against round robin, power of two choices, Finagle, Envoy and gRPC.
         */
        CAPACITY_AWARE,

        /** {@link io.clustermetrics.WeightedRoutees}: weighted random by the selector's weights. */
        WEIGHTED
    }
}
