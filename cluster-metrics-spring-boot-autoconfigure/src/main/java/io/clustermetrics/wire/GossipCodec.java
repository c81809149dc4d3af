package io.clustermetrics.wire;

import io.clustermetrics.MetricsPdu;
import io.clustermetrics.NodeAddress;
import io.clustermetrics.NodeMetrics;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * The wire form of gossip: a {@link MetricsPdu.PushBatch} as JSON, {@code {"metrics":[{...}, ...]}}, and the
 * answer to a pull, a {@link MetricsPdu.View}, {@code {"self":"...","service":"...","metrics":[...]}}. It has
 * its own Jackson mapper, so that an app's Jackson settings (naming strategies, say) cannot make two
 * nodes disagree on the format. Unknown fields are ignored, so a newer node can add some, and absent ones are
 * written as nothing rather than null: a sample without a {@code utilization} (or a {@code service}) reads the same
 * on nodes that predate the field and on those that know it.
 */
public final class GossipCodec {

    private final JsonMapper mapper = JsonMapper.builder()
            .changeDefaultPropertyInclusion(inclusion -> inclusion.withValueInclusion(JsonInclude.Include.NON_NULL))
            .build();

    /**
     * Encodes {@code samples} as messages of at most {@code maxBytes} each, halving a batch until it fits.
     * A single sample larger than that is sent alone (and will be refused).
     */
    public List<byte[]> encode(List<NodeMetrics> samples, long maxBytes) {
        List<byte[]> messages = new ArrayList<>();
        encodeInto(samples, maxBytes, messages);
        return messages;
    }

    private void encodeInto(List<NodeMetrics> samples, long maxBytes, List<byte[]> messages) {
        byte[] body = mapper.writeValueAsBytes(new MetricsPdu.PushBatch(samples));
        if (body.length <= maxBytes || samples.size() <= 1) {
            messages.add(body);
            return;
        }
        int half = samples.size() / 2;
        encodeInto(samples.subList(0, half), maxBytes, messages);
        encodeInto(samples.subList(half, samples.size()), maxBytes, messages);
    }

    /**
     * Decodes a message, every sample validated by {@link NodeMetrics} and its address by {@link NodeAddress}
     * (and given in its canonical form). A message carries at least one sample and each node at most once, as a
     * sender's view does.
     *
     * @throws IllegalArgumentException with a reason fit for the sender if the body is not a valid batch
     */
    public MetricsPdu.PushBatch decode(byte[] body) {
        MetricsPdu.PushBatch batch = read(body, MetricsPdu.PushBatch.class, "a \"metrics\" array");
        if (batch.metrics().isEmpty()) {
            throw new IllegalArgumentException("a message carries at least one sample");
        }
        return new MetricsPdu.PushBatch(canonical(batch.metrics()));
    }

    /** Encodes the answer to a pull. */
    public byte[] encode(MetricsPdu.View view) {
        return mapper.writeValueAsBytes(view);
    }

    /** Encodes an object as JSON (the small answers of the endpoint). */
    public byte[] encodeValue(Object value) {
        return mapper.writeValueAsBytes(value);
    }

    /**
     * Decodes the answer to a pull, every sample validated by {@link NodeMetrics}, each node at most once.
     *
     * @throws IllegalArgumentException with a reason if the body is not a valid view
     */
    public MetricsPdu.View decodeView(byte[] body) {
        MetricsPdu.View view = read(body, MetricsPdu.View.class, "\"self\" and \"metrics\"");
        return new MetricsPdu.View(NodeAddress.parse(view.self()), view.service(), canonical(view.metrics()));
    }

    /**
     * The samples with their addresses {@link NodeAddress#parse parsed}, so that one node has one name; refuses a
     * message with an address that is not a node address, or naming a node twice in any spelling.
     */
    private static List<NodeMetrics> canonical(List<NodeMetrics> samples) {
        List<NodeMetrics> canonical = new ArrayList<>(samples.size());
        Set<String> seen = new HashSet<>();
        for (NodeMetrics m : samples) {
            String address = NodeAddress.parse(m.address());
            if (!seen.add(address)) {
                throw new IllegalArgumentException("a message carries each node's sample at most once");
            }
            canonical.add(address.equals(m.address()) ? m : new NodeMetrics(address, m.timestamp(), m.cpuLoad(),
                    m.memoryUsed(), m.memoryMax(), m.systemLoadAverage(), m.processors(), m.service(), m.utilization()));
        }
        return canonical;
    }

    /** Reads a message of type {@code type}, its samples validated by {@link NodeMetrics}. */
    private <T extends MetricsPdu> T read(byte[] body, Class<T> type, String fields) {
        try {
            T message = mapper.readValue(body, type);
            if (message == null) {
                throw new IllegalArgumentException("the body must be a JSON object with " + fields);
            }
            return message;
        } catch (JacksonException e) {
            Throwable cause = e.getCause() instanceof IllegalArgumentException invalid ? invalid : e;
            throw new IllegalArgumentException(reason(cause), e);
        }
    }

    /**
     * The {@code "self"} of a JSON object such as a push's answer, {@link NodeAddress#parse parsed}; null when it has
     * none, or none that is a node address.
     */
    public String self(byte[] body) {
        try {
            var node = mapper.readTree(body).get("self");
            return node != null && node.isString() ? NodeAddress.parse(node.asString()) : null;
        } catch (JacksonException | IllegalArgumentException e) {
            return null;
        }
    }

    private static String reason(Throwable e) {
        String message = e instanceof JacksonException json ? json.getOriginalMessage() : e.getMessage();
        return message == null ? e.getClass().getSimpleName() : message;
    }
}
