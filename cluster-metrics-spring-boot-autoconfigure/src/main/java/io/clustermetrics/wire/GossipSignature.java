package io.clustermetrics.wire;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs gossip messages with HMAC-SHA256 over {@code "<timestamp>\n<bytes>"}, so that neither the bytes nor the
 * timestamp can be changed. A request signs {@link #request what it asks of whom}: its method, the node it is
 * meant for ({@link #TARGET_HEADER}), the path, the service it is meant for ({@link #SERVICE_HEADER}) and its
 * body, so that a captured request is good for one node of one service only, and there once (the receiver keeps
 * the signatures it saw within its clock-skew window). An answer is signed over the request's signature and its
 * body ({@link #answer}): only the node asked, holding the key, can have made it, for that request alone.
 */
public final class GossipSignature {

    /** The header carrying the sender's clock, epoch milliseconds. */
    public static final String TIMESTAMP_HEADER = "X-Cluster-Metrics-Timestamp";

    /** The header carrying {@code sha256=<hex HMAC>}. */
    public static final String SIGNATURE_HEADER = "X-Cluster-Metrics-Signature";

    /** The header naming the node a request is meant for, {@code scheme://host:port}, as the sender addresses it. */
    public static final String TARGET_HEADER = "X-Cluster-Metrics-Target";

    /** The header naming the service a request is meant for; empty when the sender names none. */
    public static final String SERVICE_HEADER = "X-Cluster-Metrics-Service";

    private static final String ALGORITHM = "HmacSHA256";

    private final SecretKeySpec key;

    /** Signs with {@code secret}, which must not be blank. */
    public GossipSignature(String secret) {
        if (secret == null || secret.isBlank()) {
            throw new IllegalArgumentException("the gossip secret must not be blank");
        }
        this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM);
    }

    /** The signature header value for {@code body} sent at {@code timestamp}. */
    public String sign(long timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            mac.update((timestamp + "\n").getBytes(StandardCharsets.US_ASCII));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    /** Whether {@code signature} is this key's signature of {@code body} at {@code timestamp}, in constant time. */
    public boolean verify(long timestamp, byte[] body, String signature) {
        return signature != null && MessageDigest.isEqual(
                sign(timestamp, body).getBytes(StandardCharsets.US_ASCII), signature.getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * What a request is signed over: {@code "<method>\n<target>\n<path>\n<service>\n"} and its body (none for
     * a pull).
     *
     * @param method {@code GET} or {@code POST}
     * @param target the node it is meant for, {@code scheme://host:port}
     * @param path the gossip endpoint's path
     * @param service the service it is meant for; null or empty for none
     * @param body the body; null for none
     */
    public static byte[] request(String method, String target, String path, String service, byte[] body) {
        byte[] head = (method + "\n" + target + "\n" + path + "\n" + (service == null ? "" : service) + "\n")
                .getBytes(StandardCharsets.UTF_8);
        return body == null ? head : concat(head, body);
    }

    /**
     * The headers of a request signed at {@code timestamp}: the timestamp, the target, the service and the signature
     * of {@link #request}.
     */
    public Map<String, String> headers(long timestamp, String method, String target, String path, String service, byte[] body) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(TIMESTAMP_HEADER, Long.toString(timestamp));
        headers.put(TARGET_HEADER, target);
        headers.put(SERVICE_HEADER, service == null ? "" : service);
        headers.put(SIGNATURE_HEADER, sign(timestamp, request(method, target, path, service, body)));
        return headers;
    }

    /** What the answer {@code body} to a request signed {@code requestSignature} is signed over. */
    public static byte[] answer(String requestSignature, byte[] body) {
        return concat((requestSignature + "\n").getBytes(StandardCharsets.US_ASCII), body);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = new byte[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
