package io.clustermetrics;

/** The two halves of metrics gossip: merging what arrives, and pushing the local sample. */
public final class MetricsGossip {

    private MetricsGossip() {}

    /** Merges every sample of {@code pdu} into {@code metrics}, newest per node winning. */
    public static void apply(ClusterMetrics metrics, MetricsPdu pdu) {
        pdu.samples().forEach(metrics::publish);
    }

    /** Samples {@code probe} as {@code selfAddress} at {@code now} and pushes the sample to {@code targetNode}. */
    public static void gossipLocalMetrics(
            MetricsProbe probe, String selfAddress, String targetNode, MetricsTransport transport, long now) {
        transport.send(targetNode, new MetricsPdu.Push(probe.sample(selfAddress, now)));
    }
}
