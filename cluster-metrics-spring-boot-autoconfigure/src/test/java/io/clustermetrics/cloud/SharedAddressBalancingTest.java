package io.clustermetrics.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.clustermetrics.CapacityAwareRoutees;
import io.clustermetrics.ClusterMetrics;
import io.clustermetrics.MetricsObserver;
import io.clustermetrics.MetricsSelector;
import io.clustermetrics.NodeAliases;
import io.clustermetrics.NodeMetrics;
import io.clustermetrics.Router;
import io.clustermetrics.WeightedRoutees;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.springframework.cloud.client.DefaultServiceInstance;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.loadbalancer.DefaultRequest;
import org.springframework.cloud.loadbalancer.support.ServiceInstanceListSuppliers;

/**
 * Two listed instances that resolve to one node address each keep their own share: a pick is carried back to the
 * instance by its index, not by looking its address up (which gave the first of the two every call).
 */
class SharedAddressBalancingTest {

    private static final int CALLS = 1_000;

    private final ClusterMetrics metrics = new ClusterMetrics();
    private final NodeAliases aliases = new NodeAliases();
    private final MetricsObserver observer = new MetricsObserver(metrics, (target, pdu) -> { }, aliases, "web", 60_000, new Random(1));

    /** The instance ids {@link #CALLS} choices land on, by {@code router}, among {@code instances}. */
    private Map<String, Long> choices(Router router, ServiceInstance... instances) {
        ClusterMetricsLoadBalancer balancer = new ClusterMetricsLoadBalancer(
                ServiceInstanceListSuppliers.toProvider("orders", instances), router, observer, "orders");
        Map<String, Long> counts = IntStream.range(0, CALLS)
                .mapToObj(i -> balancer.choose(new DefaultRequest<>()).block().getServer().getInstanceId())
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        System.out.printf("%s: %s%n", router.getClass().getSimpleName(), counts);
        return counts;
    }

    @Test
    void aFakeInstanceClaimingToBeAnotherTakesOnlyItsOwnShare() {
        ServiceInstance fake = new DefaultServiceInstance("fake", "orders", "127.0.0.9", 8080, false);
        ServiceInstance b = new DefaultServiceInstance("b", "orders", "127.0.0.2", 8080, false);
        metrics.publish(new NodeMetrics("http://127.0.0.2:8080", System.currentTimeMillis(), 0.5, 1, 2));
        assertThat(observer.resolve("orders", java.util.List.of("http://127.0.0.9:8080", "http://127.0.0.2:8080")))
                .containsExactly("http://127.0.0.9:8080", "http://127.0.0.2:8080");
        // the fake answered a pull as B, "I am http://127.0.0.2:8080": B is listed and answers for itself
        assertThat(aliases.learn("http://127.0.0.9:8080", "http://127.0.0.2:8080")).isFalse();
        for (Router router : java.util.List.<Router>of(new CapacityAwareRoutees(metrics, MetricsSelector.CPU),
                new WeightedRoutees(metrics, MetricsSelector.CPU))) {
            Map<String, Long> counts = choices(router, fake, b);
            assertThat(counts.getOrDefault("b", 0L) / (double) CALLS).as("B's share").isCloseTo(0.5, within(0.08));
            assertThat(counts.getOrDefault("fake", 0L) / (double) CALLS).as("the fake's share").isCloseTo(0.5, within(0.08));
        }
    }

    @Test
    void oneNodeRegisteredTwiceGetsBothShares() {
        ServiceInstance first = new DefaultServiceInstance("first", "orders", "127.0.0.3", 8080, false);
        ServiceInstance again = new DefaultServiceInstance("again", "orders", "127.0.0.3", 8080, false);
        ServiceInstance other = new DefaultServiceInstance("other", "orders", "127.0.0.4", 8080, false);
        Map<String, Long> counts = choices(new WeightedRoutees(metrics, MetricsSelector.CPU), first, again, other);
        assertThat(counts.getOrDefault("again", 0L) / (double) CALLS).isCloseTo(1 / 3.0, within(0.08));
        assertThat(counts.getOrDefault("first", 0L) / (double) CALLS).isCloseTo(1 / 3.0, within(0.08));
    }
}
