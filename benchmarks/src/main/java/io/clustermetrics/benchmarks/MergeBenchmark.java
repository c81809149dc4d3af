package io.clustermetrics.benchmarks;

import io.clustermetrics.ClusterMetrics;
import io.clustermetrics.MetricsGossip;
import io.clustermetrics.MetricsPdu;
import io.clustermetrics.NodeMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
 * What merging one received full-state batch costs a node, {@link MetricsGossip#apply} into a store that
 * already tracks every node of the batch: when every sample is newer (the steady state, where every node
 * has sampled since) and when none is (a duplicate). Reported in microseconds per batch.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MergeBenchmark {

    /** Cluster size: samples per batch and nodes in the store. */
    @Param({"100", "1000"})
    public int nodes;

    private ClusterMetrics store;
    private List<NodeMetrics> template;
    private MetricsPdu.PushBatch stale;
    private long timestamp;

    /** A store with one sample per node, on the system clock with the starter's ttl and size limit. */
    @Setup
    public void setUp() {
        store = new ClusterMetrics(Duration.ofSeconds(15), 1000);
        template = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            template.add(new NodeMetrics(GossipRun.address(i), 1, 0.5, 1L << 30, 4L << 30, 2.0, 8));
        }
        stale = new MetricsPdu.PushBatch(template);
        MetricsGossip.apply(store, stale);
        timestamp = 1;
    }

    /** Every sample newer than the stored one: each is accepted. */
    @Benchmark
    public ClusterMetrics mergeNewerBatch() {
        timestamp++;
        List<NodeMetrics> newer = new ArrayList<>(template.size());
        for (NodeMetrics m : template) {
            newer.add(new NodeMetrics(m.address(), timestamp, m.cpuLoad(), m.memoryUsed(), m.memoryMax(),
                    m.systemLoadAverage(), m.processors()));
        }
        MetricsGossip.apply(store, new MetricsPdu.PushBatch(newer));
        return store;
    }

    /** Every sample already stored: each is refused. */
    @Benchmark
    public ClusterMetrics mergeStaleBatch() {
        MetricsGossip.apply(store, stale);
        return store;
    }
}
