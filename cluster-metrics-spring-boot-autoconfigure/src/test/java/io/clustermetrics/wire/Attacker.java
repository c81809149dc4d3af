package io.clustermetrics.wire;

import io.clustermetrics.NodeMetrics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A sender holding the gossip secret, as a compromised or buggy peer would: it signs whatever it likes, raw JSON
 * included, so that the receiver's checks, not the sender's, are what is tested.
 */
final class Attacker {

    private final HttpClient http = HttpClient.newHttpClient();
    private final GossipSignature signature;

    Attacker(String secret) {
        this.signature = new GossipSignature(secret);
    }

    /** POSTs {@code json} to {@code node}'s gossip endpoint, signed at {@code timestamp}. */
    HttpResponse<String> push(String node, String json, long timestamp) throws IOException, InterruptedException {
        byte[] body = json.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(node + "/cluster-metrics/gossip"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body));
        signature.headers(timestamp, "POST", node, "/cluster-metrics/gossip", null, body).forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** POSTs {@code json} signed now. */
    HttpResponse<String> push(String node, String json) throws IOException, InterruptedException {
        return push(node, json, System.currentTimeMillis());
    }

    /** A push of one sample for {@code address} (raw JSON text, quoted by the caller if it is a string). */
    static String sample(String addressJson, long timestamp, double cpu) {
        return "{\"metrics\":[{\"address\":" + addressJson + ",\"timestamp\":" + timestamp + ",\"cpuLoad\":" + cpu
                + ",\"memoryUsed\":1,\"memoryMax\":2,\"systemLoadAverage\":-1,\"processors\":0}]}";
    }

    /** A push of {@code samples}, each {@code address -> cpu}, stamped {@code timestamp}. */
    static String samples(Map<String, Double> samples, long timestamp) {
        return "{\"metrics\":[" + samples.entrySet().stream().map(e -> "{\"address\":\"" + e.getKey() + "\",\"timestamp\":"
                + timestamp + ",\"cpuLoad\":" + e.getValue() + ",\"memoryUsed\":1,\"memoryMax\":2,\"systemLoadAverage\":-1,\"processors\":0}")
                .collect(Collectors.joining(",")) + "]}";
    }

    /** The addresses in a view, for assertions. */
    static List<String> addresses(List<NodeMetrics> view) {
        return view.stream().map(NodeMetrics::address).toList();
    }
}
