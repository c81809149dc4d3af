package io.clustermetrics.benchmarks;

import io.clustermetrics.AdaptiveLoadBalancer;
import io.clustermetrics.CapacityAwareRoutees;
import io.clustermetrics.ClusterMetrics;
import io.clustermetrics.MetricsSelector;
import io.clustermetrics.NodeMetrics;
import io.clustermetrics.WeightedRoutees;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The picks against the seed crate's algorithm, on the same samples, at 3, 100 and 1,000 candidates, and
 * the capacity-aware router's pick and call callbacks.
 * Run with {@code -prof gc} for bytes per pick (see BENCHMARKS.md).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PickBenchmark {

    /** How many candidates a pick chooses among. */
    @Param({"3", "100", "1000"})
    public int candidates;

    private List<String> addresses;
    private List<String> otherService;
    private WeightedRoutees routees;
    private WeightedRoutees otherRoutees;
    private AdaptiveLoadBalancer balancer;
    private CapacityAwareRoutees capacityAware;
    private CapacityAwareRoutees.Load load;
    private SeedAlgorithms seed;

    /** Publishes one sample per candidate, with loads drawn from a fixed seed, into both stores. */
    @Setup
    public void setUp() {
        addresses = IntStream.range(0, candidates).mapToObj(i -> "http://10.0.0." + i + ":8080").toList();
        addresses = List.copyOf(addresses);
        ClusterMetrics metrics = new ClusterMetrics();
        seed = new SeedAlgorithms();
        SplittableRandom random = new SplittableRandom(7);
        for (String address : addresses) {
            NodeMetrics m = new NodeMetrics(address, 1, random.nextDouble(), random.nextLong(1, 1 << 30), 1 << 30);
            metrics.publish(m);
            seed.publish(m);
        }
        otherService = List.copyOf(IntStream.range(0, candidates).mapToObj(i -> "http://10.0.1." + i + ":8080").toList());
        otherService.forEach(a -> metrics.publish(new NodeMetrics(a, 1, random.nextDouble(), 1, 2)));
        routees = new WeightedRoutees(metrics, MetricsSelector.MIX);
        otherRoutees = new WeightedRoutees(metrics, MetricsSelector.MIX);
        balancer = new AdaptiveLoadBalancer(metrics);
        capacityAware = new CapacityAwareRoutees(metrics, MetricsSelector.CPU);
        for (String address : addresses) {
            CapacityAwareRoutees.Load l = capacityAware.load(address);
            for (int i = 0; i < random.nextInt(4); i++) {
                l.start();
            }
            l.end(l.start(), false);
        }
        load = capacityAware.load(addresses.get(0));
    }

    /**
     * {@link CapacityAwareRoutees#pick(List)}: two draws in a cached table and the two candidates' costs
     * (calls in flight, a decayed latency estimate), every candidate with some calls in flight.
     */
    @Benchmark
    public Optional<String> capacityAwarePick() {
        return capacityAware.pick(addresses);
    }

    /** A call's two callbacks on the capacity-aware router: {@code start}, then {@code end} with its latency. */
    @Benchmark
    public void capacityAwareStartEnd() {
        load.end(load.start(), false);
    }

    /** {@link WeightedRoutees#pick(List)}: a binary search in a cached table. */
    @Benchmark
    public Optional<String> weightedPick() {
        return routees.pick(addresses);
    }

    /**
     * One pick for each of two services from one router, as Spring Cloud LoadBalancer clients shared the app's
     * router: each call finds the other service's table cached and builds its own.
     */
    @Benchmark
    public Optional<String> twoServicesOneRouter() {
        routees.pick(addresses);
        return routees.pick(otherService);
    }

    /** One pick for each of two services, each from its own router, as each client has had since 2026-11-27. */
    @Benchmark
    public Optional<String> twoServicesRouterEach() {
        routees.pick(addresses);
        return otherRoutees.pick(otherService);
    }

    /** The seed's weighted pick: snapshot, lookup map and weights per call, linear scan. */
    @Benchmark
    public Optional<String> seedWeightedPick() {
        return seed.weightedPick(addresses, MetricsSelector.MIX, ThreadLocalRandom.current().nextDouble());
    }

    /** {@link AdaptiveLoadBalancer#pick(List)}: the cached argmin. */
    @Benchmark
    public Optional<String> adaptivePick() {
        return balancer.pick(addresses);
    }

    /** The seed's adaptive pick: snapshot, lookup map and a sort per call. */
    @Benchmark
    public Optional<String> seedAdaptivePick() {
        return seed.adaptivePick(addresses);
    }
}
