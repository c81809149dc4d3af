package io.clustermetrics.autoconfigure;

import io.clustermetrics.ClusterMetrics;
import io.clustermetrics.MetricsGossip;
import io.clustermetrics.MetricsPdu;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.web.servlet.function.HandlerFunction;
import org.springframework.web.servlet.function.ServerRequest;
import org.springframework.web.servlet.function.ServerResponse;

/**
 * Receives gossip: {@code POST <gossip.path>} with a {@link MetricsPdu.PushBatch} as JSON. A message is
 * merged whole or refused whole, and a refused one leaves the store exactly as it was: 413 for a body
 * over the limit, 401 for a missing or wrong signature or a timestamp outside the skew window (when a
 * secret is set), 403 for a sender off loopback (when none is), 400 for malformed JSON or an impossible
 * sample. An accepted message is answered {@code {"received": <samples in it>}}; each sample is merged
 * if it is newer than what is stored. Refusals are RFC 9457 problem details whose {@code detail} says why.
 * The refusal of a validly signed message for its timestamp alone carries this node's clock, epoch
 * milliseconds, as {@code "now"} and in the {@link GossipSignature#TIMESTAMP_HEADER} header, signed in the
 * {@link GossipSignature#SIGNATURE_HEADER} header over the refused message's signature, so that a sender whose
 * clock differs can sign its next message in this node's time (as Hawk does): replays stay confined to the
 * skew window, and the nodes' clocks need not agree.
 */
public final class GossipEndpoint implements HandlerFunction<ServerResponse> {

    private final ClusterMetrics metrics;
    private final GossipCodec codec;
    private final GossipStatistics statistics;
    private final GossipSignature signature;
    private final int maxBodyBytes;
    private final long maxSkewMillis;

    /**
     * @param metrics the store messages merge into
     * @param codec the wire format
     * @param statistics where messages are counted
     * @param gossip the secret, body limit and clock-skew window
     */
    public GossipEndpoint(ClusterMetrics metrics, GossipCodec codec, GossipStatistics statistics,
            ClusterMetricsProperties.Gossip gossip) {
        this.metrics = metrics;
        this.codec = codec;
        this.statistics = statistics;
        this.signature = gossip.secret() == null ? null : new GossipSignature(gossip.secret());
        this.maxBodyBytes = (int) Math.min(Integer.MAX_VALUE - 1, gossip.maxBodySize().toBytes());
        this.maxSkewMillis = gossip.maxClockSkew().toMillis();
    }

    @Override
    public ServerResponse handle(ServerRequest request) throws IOException {
        HttpServletRequest servlet = request.servletRequest();
        if (servlet.getContentLengthLong() > maxBodyBytes) {
            return refuse(HttpStatus.CONTENT_TOO_LARGE, "the body is larger than " + maxBodyBytes + " bytes");
        }
        byte[] body = servlet.getInputStream().readNBytes(maxBodyBytes + 1);
        if (body.length > maxBodyBytes) {
            return refuse(HttpStatus.CONTENT_TOO_LARGE, "the body is larger than " + maxBodyBytes + " bytes");
        }
        ServerResponse unauthenticated = signature != null ? checkSignature(request, body) : checkLoopback(servlet);
        if (unauthenticated != null) {
            return unauthenticated;
        }
        MetricsPdu.PushBatch batch;
        try {
            batch = codec.decode(body);
        } catch (IllegalArgumentException e) {
            return refuse(HttpStatus.BAD_REQUEST, e.getMessage());
        }
        MetricsGossip.apply(metrics, batch);
        statistics.onReceived();
        return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).body(Map.of("received", batch.metrics().size()));
    }

    /**
     * The 401 for a message whose signature is not acceptable, or null if it is. A validly signed message
     * refused for its time alone learns this node's clock, signed over the message's own signature: only a
     * holder of the secret can tell a sender which time to sign in, and only in answer to that message.
     */
    private ServerResponse checkSignature(ServerRequest request, byte[] body) {
        long timestamp;
        try {
            timestamp = Long.parseLong(request.headers().firstHeader(GossipSignature.TIMESTAMP_HEADER));
        } catch (NumberFormatException e) {
            return refuse(HttpStatus.UNAUTHORIZED, "missing or malformed " + GossipSignature.TIMESTAMP_HEADER + " header");
        }
        String sent = request.headers().firstHeader(GossipSignature.SIGNATURE_HEADER);
        if (!signature.verify(timestamp, body, sent)) {
            return refuse(HttpStatus.UNAUTHORIZED, "missing or wrong " + GossipSignature.SIGNATURE_HEADER + " header");
        }
        long now = metrics.clock().millis();
        if (Math.abs(now - timestamp) <= maxSkewMillis) {
            return null;
        }
        ProblemDetail stale = ProblemDetail.forStatusAndDetail(HttpStatus.UNAUTHORIZED, "the message's timestamp is more than "
                + Duration.ofMillis(maxSkewMillis).toSeconds() + " s from this node's clock: a replay, or a sender to sign "
                + "with this node's clock, given in \"now\"");
        stale.setProperty("now", now);
        return refuse(stale, headers -> {
            headers.set(GossipSignature.TIMESTAMP_HEADER, Long.toString(now));
            headers.set(GossipSignature.SIGNATURE_HEADER, signature.sign(now, sent.getBytes(StandardCharsets.US_ASCII)));
        });
    }

    /**
     * Why the sender is not acceptable without a secret (403), or null if it is. Both ends of the connection
     * must be loopback addresses: the remote address alone is rewritten from {@code X-Forwarded-For} when
     * forwarded headers are on (Boot turns them on in Kubernetes), while a connection accepted on a loopback
     * address can only come from this host.
     */
    private ServerResponse checkLoopback(HttpServletRequest servlet) {
        // the local address first: it is the socket's, an address literal, so a forwarded name is never looked up
        if (isLoopback(servlet.getLocalAddr()) && isLoopback(servlet.getRemoteAddr())) {
            return null;
        }
        return refuse(HttpStatus.FORBIDDEN, "no gossip secret is configured on this node, so only loopback senders are "
                + "accepted; set cluster.metrics.gossip.secret on every node");
    }

    private static boolean isLoopback(String address) {
        try {
            return address != null && InetAddress.getByName(address).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private ServerResponse refuse(HttpStatus status, String reason) {
        return refuse(ProblemDetail.forStatusAndDetail(status, reason), headers -> { });
    }

    private ServerResponse refuse(ProblemDetail problem, Consumer<HttpHeaders> headers) {
        statistics.onRefused();
        return ServerResponse.status(problem.getStatus())
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .headers(headers)
                .body(problem);
    }
}
