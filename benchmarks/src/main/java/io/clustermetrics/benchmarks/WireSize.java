package io.clustermetrics.benchmarks;

import io.clustermetrics.MetricsPdu;
import io.clustermetrics.wire.GossipCodec;
import io.clustermetrics.NodeMetrics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The size of gossip messages in the real wire encoding, the JSON of
 * {@link GossipCodec}: a {@link MetricsPdu.PushBatch} is
 * {@code {"metrics":[s1,s2,…]}}, each sample encoded by the same Jackson 3 mapper configuration. A
 * batch's size is worked out from the sizes of its samples, each encoded once and remembered, so that
 * sizing a 1,000-sample view thousands of times per round costs little; the tests check it byte for byte
 * against {@code GossipCodec}. Also sizes the two messages of the digest/delta exchange, {@link Digest}
 * and {@link Delta}. Not thread-safe: one per simulation run.
 */
final class WireSize {

    /** The receiver's default limit on a message body ({@code cluster.metrics.gossip.max-body-size}). */
    static final long MAX_BODY = 64 * 1024;

    /**
     * A digest: the timestamp of the newest sample the sender holds of every node it knows.
     *
     * @param digest timestamps by address
     */
    record Digest(Map<String, Long> digest) {}

    /**
     * The answer to a digest: the samples the digest's sender lacks, and the addresses whose samples it
     * holds newer than the answerer.
     *
     * @param metrics the samples newer than the digest's
     * @param want the addresses the digest's sender should push back
     */
    record Delta(List<NodeMetrics> metrics, List<String> want) {}

    /** The wire format's own encoder, so that sizes follow its mapper's settings (absent fields written as nothing). */
    private static final GossipCodec CODEC = new GossipCodec();

    private final Map<NodeMetrics, Integer> samples = new HashMap<>();
    private final Map<String, Integer> strings = new HashMap<>();

    /** The bytes of {@code new PushBatch(batch)} on the wire. */
    long batch(List<NodeMetrics> batch) {
        long size = "{\"metrics\":[]}".length() + Math.max(0, batch.size() - 1);
        for (NodeMetrics m : batch) {
            size += sample(m);
        }
        return size;
    }

    /**
     * The messages {@code GossipCodec.encode(batch, maxBytes)} sends the batch as: halved until each part
     * fits, a single sample never split.
     */
    List<List<NodeMetrics>> split(List<NodeMetrics> batch, long maxBytes) {
        List<List<NodeMetrics>> parts = new ArrayList<>();
        long[] prefix = new long[batch.size() + 1];
        for (int i = 0; i < batch.size(); i++) {
            prefix[i + 1] = prefix[i] + sample(batch.get(i));
        }
        splitInto(batch, 0, batch.size(), prefix, maxBytes, parts);
        return parts;
    }

    private void splitInto(List<NodeMetrics> batch, int from, int to, long[] prefix, long maxBytes, List<List<NodeMetrics>> parts) {
        int n = to - from;
        long size = "{\"metrics\":[]}".length() + Math.max(0, n - 1) + prefix[to] - prefix[from];
        if (size <= maxBytes || n <= 1) {
            parts.add(batch.subList(from, to));
            return;
        }
        int half = n / 2;
        splitInto(batch, from, from + half, prefix, maxBytes, parts);
        splitInto(batch, from + half, to, prefix, maxBytes, parts);
    }

    /** The bytes of a {@link Digest} of the addresses and timestamps of {@code view}. */
    long digest(List<NodeMetrics> view) {
        long size = "{\"digest\":{}}".length() + Math.max(0, view.size() - 1);
        for (NodeMetrics m : view) {
            size += string(m.address()) + 1 + Long.toString(m.timestamp()).length();
        }
        return size;
    }

    /** The bytes of a {@link Delta}. */
    long delta(List<NodeMetrics> metrics, List<String> want) {
        long size = "{\"metrics\":[],\"want\":[]}".length() + Math.max(0, metrics.size() - 1) + Math.max(0, want.size() - 1);
        for (NodeMetrics m : metrics) {
            size += sample(m);
        }
        for (String address : want) {
            size += string(address);
        }
        return size;
    }

    /** The bytes of one sample in a batch. */
    int sample(NodeMetrics m) {
        return samples.computeIfAbsent(m, s -> CODEC.encodeValue(s).length);
    }

    private int string(String s) {
        return strings.computeIfAbsent(s, v -> CODEC.encodeValue(v).length);
    }

    /** Encodes {@code value} with the wire format's mapper configuration; for the tests. */
    static byte[] encode(Object value) {
        return CODEC.encodeValue(value);
    }
}
