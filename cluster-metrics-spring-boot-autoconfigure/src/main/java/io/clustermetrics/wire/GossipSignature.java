package io.clustermetrics.wire;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs gossip messages with HMAC-SHA256 over {@code "<timestamp>\n<body>"}, so that neither the body
 * nor the timestamp can be changed, and a message can only be replayed within the receiver's clock-skew
 * window (where replaying is harmless: the store keeps the newest sample of each node).
 */
public final class GossipSignature {

    /** The header carrying the sender's clock, epoch milliseconds. */
    public static final String TIMESTAMP_HEADER = "X-Cluster-Metrics-Timestamp";

    /** The header carrying {@code sha256=<hex HMAC>}. */
    public static final String SIGNATURE_HEADER = "X-Cluster-Metrics-Signature";

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
}
