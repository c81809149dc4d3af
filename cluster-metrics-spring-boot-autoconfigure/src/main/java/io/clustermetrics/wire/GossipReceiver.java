package io.clustermetrics.wire;

import io.clustermetrics.ClusterMetrics;
import io.clustermetrics.GossipStatistics;
import io.clustermetrics.MetricsGossip;
import io.clustermetrics.MetricsPdu;
import io.clustermetrics.NodeAddress;
import io.clustermetrics.NodeMetrics;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The receiving side of gossip over HTTP, whatever the web stack: the servlet and the reactive endpoints read
 * the request and render the {@link Reply}; every rule is here.
 *
 * <p>A push ({@code POST}, a {@link MetricsPdu.PushBatch}) is merged whole or refused whole, and a refused
 * one leaves the store exactly as it was: 413 for a body over the limit, 401 for a missing or wrong signature,
 * a timestamp outside the skew window or a signature seen before (when a secret is set), 421 for a request
 * signed for another node or another service, 403 for a sender off loopback or one with
 * {@link #FORWARDING_HEADERS} (when no secret is set), 400 for malformed JSON, an impossible sample, or an address
 * that is not {@code scheme://host:port} ({@link NodeAddress}) or names a host outside the allowed ones. A sample
 * stamped more than {@link ClusterMetrics#MAX_TIMESTAMP_AHEAD} ahead of this node's clock is dropped and the rest
 * are taken. An accepted push is answered
 * {@code {"received": <samples>, "self": "<this node>"}}, so that a sender learns what the node it reached
 * calls itself. A pull ({@code GET}) is answered with this node's {@link MetricsPdu.View}; 503 while this node
 * has no view to give. Both are signed as {@link GossipSignature} says, and so are their answers, so that the
 * sender can tell the node it asked, holding the secret, answered.
 *
 * <p>The refusal of a validly signed request for its timestamp alone carries this node's clock, epoch
 * milliseconds, as {@code "now"} and in the {@link GossipSignature#TIMESTAMP_HEADER} header, signed in the
 * {@link GossipSignature#SIGNATURE_HEADER} header over the refused request's signature, so that a sender whose
 * clock differs can sign its next request in this node's time (as Hawk does): replays stay confined to the
 * skew window, and the nodes' clocks need not agree.
 */
public final class GossipReceiver {

    /** The request headers by which a proxy says whom it forwards for. */
    public static final List<String> FORWARDING_HEADERS =
            List.of("Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Real-IP");

    private final ClusterMetrics metrics;
    private final GossipCodec codec;
    private final GossipStatistics statistics;
    private final GossipSignature signature;
    private final long maxBodyBytes;
    private final long maxSkewMillis;
    private final String path;
    private final Supplier<MetricsPdu.View> localView;
    private final Supplier<String> selfAddress;
    private final AllowedHosts allowedHosts;
    private final Semaphore receiving;
    private final String service;
    /** The signatures taken within the skew window, with when each leaves it: a second copy is a replay. */
    private final Map<String, Long> seen = new ConcurrentHashMap<>();
    private volatile long nextSweep;
    private final Semaphore waiting;
    private final int perSender;
    private final ConcurrentHashMap<ByteBuffer, Integer> placesBySender = new ConcurrentHashMap<>();
    private volatile EncodedView encodedView;

    /** The last view a pull was answered with, and its JSON, reused while the view is unchanged. */
    private record EncodedView(MetricsPdu.View view, byte[] json) {}

    /**
     * An answer to render: a status, a JSON body or a refusal's reason, and headers.
     *
     * @param status the HTTP status
     * @param json the body of a success, JSON; null for a refusal
     * @param detail a refusal's reason, for an RFC 9457 problem detail; null for a success
     * @param properties a refusal's extra problem properties
     * @param headers response headers
     */
    public record Reply(int status, byte[] json, String detail, Map<String, Object> properties, Map<String, String> headers) {

        /** Whether this is a refusal, to render as a problem detail. */
        public boolean isRefusal() {
            return status >= 400;
        }
    }

    /**
     * @param metrics the store pushes merge into
     * @param codec the wire format
     * @param statistics where messages are counted
     * @param secret the shared key; null when gossip is unauthenticated (loopback only)
     * @param maxBodyBytes the largest body accepted
     * @param maxClockSkew how far a signed request's timestamp may be from this node's clock
     * @param path the endpoint's path, which a pull's signature covers
     * @param localView what a pull is answered with: this node's view; null while it has none
     * @param selfAddress what this node calls itself, for a push's answer; null while it does not gossip
     * @param allowedHosts the hosts a pushed sample's address may name
     * @param maxConcurrentRequests how many requests may be received at once; more are refused with 503
     * @param service the service this node is an instance of, which a signed request must be meant for; null for none
     */
    public GossipReceiver(ClusterMetrics metrics, GossipCodec codec, GossipStatistics statistics, String secret,
            long maxBodyBytes, Duration maxClockSkew, String path, Supplier<MetricsPdu.View> localView,
            Supplier<String> selfAddress, AllowedHosts allowedHosts, int maxConcurrentRequests, String service) {
        this.metrics = metrics;
        this.codec = codec;
        this.statistics = statistics;
        this.signature = secret == null ? null : new GossipSignature(secret);
        this.maxBodyBytes = Math.min(Integer.MAX_VALUE - 1, maxBodyBytes);
        this.maxSkewMillis = maxClockSkew.toMillis();
        this.path = path;
        this.localView = localView;
        this.selfAddress = selfAddress;
        this.allowedHosts = allowedHosts;
        this.receiving = new Semaphore(maxConcurrentRequests);
        this.service = service;
        this.perSender = Math.max(1, maxConcurrentRequests / 4);
        this.waiting = new Semaphore(maxConcurrentRequests - maxConcurrentRequests / 4);
    }

    /**
     * The place of one request, push or pull, among the {@code maxConcurrentRequests}, not yet claimed: a request
     * {@link Place#claim claims} it once its body has arrived (a pull at once), or {@link Place#awaitBody} while
     * its body is still arriving. Requests waiting for their body hold at most three quarters of the places, one
     * sender (an IPv4 address, or an IPv6 /64; null when unknown, all such counted as one) at most a quarter (at
     * least one), so that pulls and pushes whose body came with the headers, as a peer's does, find a place while
     * strangers on many addresses hold slow bodies; and a refused request never holds one. A request whose body
     * is whole holds its place only while it is handled, whoever sends it: peers behind one address (on one host,
     * or a sidecar's loopback) are not held to one sender's share.
     * So slow senders hold a bounded number of places, never the server's threads.
     */
    public Place place(InetAddress sender) {
        return new Place(ByteBuffer.wrap(sender == null ? new byte[0] : Arrays.copyOf(sender.getAddress(), 8)));
    }

    /** A request's place ({@link #place}); {@link #release} it once the request is answered, on every path. */
    public final class Place {

        private final ByteBuffer sender;
        private boolean held;
        private boolean awaiting;
        private boolean released;

        private Place(ByteBuffer sender) {
            this.sender = sender;
        }

        /** Claims the place to handle the request now: null when claimed (or held already), else the 503 to answer. */
        public synchronized Reply claim() {
            if (held || released) {
                return null;
            }
            if (!receiving.tryAcquire()) {
                return busy("try again later");
            }
            held = true;
            return null;
        }

        /**
         * Claims the place, and one of the places for a body that did not come with its headers: null when claimed,
         * else the 503 to answer, the place then released.
         */
        public synchronized Reply awaitBody() {
            Reply busy = claim();
            if (busy != null || awaiting || released) {
                return busy;
            }
            boolean[] taken = {false};
            placesBySender.compute(sender, (k, n) -> {
                int count = n == null ? 0 : n;
                taken[0] = count < perSender;
                return taken[0] ? count + 1 : n;
            });
            if (!taken[0]) {
                release();
                return busy("its body did not come with the headers, and this sender has as many slow bodies arriving "
                        + "as one sender may");
            }
            if (!waiting.tryAcquire()) {
                unhold(sender);
                release();
                return busy("its body did not come with the headers, and as many slow bodies as this node waits for "
                        + "are arriving already");
            }
            awaiting = true;
            return null;
        }

        /** Frees what the place holds; releasing twice, or a place never claimed, is harmless. */
        public synchronized void release() {
            released = true;
            if (held) {
                receiving.release();
                held = false;
            }
            if (awaiting) {
                waiting.release();
                unhold(sender);
                awaiting = false;
            }
        }
    }

    private void unhold(ByteBuffer sender) {
        placesBySender.computeIfPresent(sender, (k, n) -> n == 1 ? null : n - 1);
    }

    private Reply busy(String why) {
        return refuse(503, "this node is receiving as many gossip requests as it takes at once "
                + "(cluster.metrics.gossip.max-concurrent-requests): " + why);
    }

    /**
     * The refusal to answer before the body is read, from what is known already: the declared length, whether the
     * sender is on loopback and carries no forwarding header (when no secret is set) and whether the signature
     * headers are there (when one is); null when the body is worth reading. Pulls are checked too, with a length
     * of 0.
     */
    public Reply precheck(long contentLength, Function<String, String> header, boolean loopback) {
        Reply tooLarge = checkLength(contentLength);
        if (tooLarge != null) {
            return tooLarge;
        }
        if (signature == null) {
            Reply off = checkLoopback(loopback);
            return off != null || !isForwarded(header) ? off : refuse(403, "no gossip secret is configured on this node, "
                    + "so only loopback senders are accepted, and a request with forwarding headers ("
                    + String.join(", ", FORWARDING_HEADERS) + ") comes through a proxy on loopback, not from this host; "
                    + "set cluster.metrics.gossip.secret on every node");
        }
        return header.apply(GossipSignature.TIMESTAMP_HEADER) == null || header.apply(GossipSignature.SIGNATURE_HEADER) == null
                ? refuse(401, "missing " + GossipSignature.TIMESTAMP_HEADER + " or " + GossipSignature.SIGNATURE_HEADER + " header")
                : null;
    }

    /** {@link #precheck} for a pull: a 400 if it declares a body, which no pull has and no endpoint reads. */
    public Reply precheckPull(boolean hasBody, Function<String, String> header, boolean loopback) {
        return hasBody ? refuse(400, "a pull (GET) has no body") : precheck(0, header, loopback);
    }

    /** Whether a request carries any of the {@link #FORWARDING_HEADERS}. */
    public static boolean isForwarded(Function<String, String> header) {
        return FORWARDING_HEADERS.stream().anyMatch(name -> header.apply(name) != null);
    }

    /** The 408 for a body that did not arrive within the receive timeout. */
    public Reply timedOut() {
        return refuse(408, "the body did not arrive in time (cluster.metrics.gossip.receive-timeout)");
    }

    /**
     * The body to send for {@code reply}: its JSON, or for a refusal an RFC 9457 problem detail
     * ({@code type}, {@code title}, {@code status}, {@code detail} and the extra properties).
     */
    public byte[] body(Reply reply) {
        if (!reply.isRefusal()) {
            return reply.json();
        }
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", "about:blank");
        problem.put("title", switch (reply.status()) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 408 -> "Request Timeout";
            case 413 -> "Content Too Large";
            case 421 -> "Misdirected Request";
            case 503 -> "Service Unavailable";
            default -> "Error";
        });
        problem.put("status", reply.status());
        problem.put("detail", reply.detail());
        problem.putAll(reply.properties());
        return codec.encodeValue(problem);
    }

    /** The largest body accepted, in bytes; the endpoints read at most one byte more. */
    public int maxBodyBytes() {
        return (int) maxBodyBytes;
    }

    /** The 413 for a declared body length over the limit, before anything is read; null if it is within. */
    public Reply checkLength(long contentLength) {
        return contentLength > maxBodyBytes ? tooLarge() : null;
    }

    /** The 413 for a body that turned out larger than the limit. */
    public Reply tooLarge() {
        return refuse(413, "the body is larger than " + maxBodyBytes + " bytes");
    }

    /**
     * Merges a push, or refuses it.
     *
     * @param header the request's headers, by name
     * @param body the body, at most one byte over the limit
     * @param loopback whether both ends of the connection are loopback addresses ({@link #isLoopback})
     * @param local the connection's local end, which a signed request's target must name; null if unknown
     */
    public Reply push(Function<String, String> header, byte[] body, boolean loopback, InetSocketAddress local) {
        if (body.length > maxBodyBytes) {
            return tooLarge();
        }
        Reply unauthenticated = signature != null ? checkSignature(header, "POST", body, local) : checkLoopback(loopback);
        if (unauthenticated != null) {
            return unauthenticated;
        }
        MetricsPdu.PushBatch batch;
        try {
            batch = codec.decode(body);
        } catch (IllegalArgumentException e) {
            return refuse(400, e.getMessage());
        }
        String unacceptable = unacceptable(batch.metrics(), allowedHosts);
        if (unacceptable != null) {
            return refuse(400, unacceptable);
        }
        List<NodeMetrics> taken = withinHorizon(batch.metrics(), metrics.clock().millis());
        MetricsGossip.apply(metrics, new MetricsPdu.PushBatch(taken));
        statistics.onReceived();
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("received", taken.size());
        if (taken.size() < batch.metrics().size()) {
            answer.put("dropped", batch.metrics().size() - taken.size());
        }
        String self = selfAddress.get();
        if (self != null) {
            answer.put("self", self);
        }
        return signed(header, codec.encodeValue(answer));
    }

    /**
     * Answers a pull with this node's view, or refuses it.
     *
     * @param header the request's headers, by name
     * @param loopback whether both ends of the connection are loopback addresses ({@link #isLoopback})
     * @param local the connection's local end, which a signed request's target must name; null if unknown
     */
    public Reply pull(Function<String, String> header, boolean loopback, InetSocketAddress local) {
        Reply unauthenticated = signature != null ? checkSignature(header, "GET", null, local) : checkLoopback(loopback);
        if (unauthenticated != null) {
            return unauthenticated;
        }
        MetricsPdu.View view = localView.get();
        if (view == null) {
            return refuse(503, "this node does not gossip (yet): it has no address or no sample");
        }
        EncodedView last = encodedView;
        if (last == null || !last.view().equals(view)) {
            last = new EncodedView(view, codec.encode(view));
            encodedView = last;
        }
        byte[] json = last.json();
        return signed(header, json);
    }

    /** A 200 with {@code json}, signed over the request's signature when a secret is set. */
    private Reply signed(Function<String, String> header, byte[] json) {
        if (signature == null) {
            return new Reply(200, json, null, Map.of(), Map.of());
        }
        long timestamp = Long.parseLong(header.apply(GossipSignature.TIMESTAMP_HEADER));
        String signed = signature.sign(timestamp, GossipSignature.answer(header.apply(GossipSignature.SIGNATURE_HEADER), json));
        return new Reply(200, json, null, Map.of(), Map.of(GossipSignature.SIGNATURE_HEADER, signed));
    }

    /**
     * Why samples a peer sent (pushed, or in a pull's answer) cannot be taken, or null if they can: an address
     * naming a host outside {@code allowedHosts}. The addresses are parsed already ({@link GossipCodec}).
     */
    public static String unacceptable(List<NodeMetrics> samples, AllowedHosts allowedHosts) {
        for (NodeMetrics m : samples) {
            if (!allowedHosts.allowsAll() && !allowedHosts.allows(NodeAddress.host(m.address()))) {
                return "a node address names a host outside cluster.metrics.gossip.allowed-hosts: " + m.address();
            }
        }
        return null;
    }

    /**
     * The samples stamped at most {@link ClusterMetrics#MAX_TIMESTAMP_AHEAD} ahead of {@code now}: one beyond is
     * dropped, not the message, so that a peer whose clock lags still takes the rest of a sender's view.
     */
    public static List<NodeMetrics> withinHorizon(List<NodeMetrics> samples, long now) {
        long horizon = now + ClusterMetrics.MAX_TIMESTAMP_AHEAD.toMillis();
        return samples.stream().allMatch(m -> m.timestamp() <= horizon) ? samples
                : samples.stream().filter(m -> m.timestamp() <= horizon).toList();
    }

    /**
     * The 401 for a request whose signature is not acceptable, or null if it is. A validly signed request
     * refused for its time alone learns this node's clock, signed over the request's own signature: only a
     * holder of the secret can tell a sender which time to sign in, and only in answer to that request.
     */
    private Reply checkSignature(Function<String, String> header, String method, byte[] body, InetSocketAddress local) {
        long timestamp;
        try {
            timestamp = Long.parseLong(header.apply(GossipSignature.TIMESTAMP_HEADER));
        } catch (NumberFormatException e) {
            return refuse(401, "missing or malformed " + GossipSignature.TIMESTAMP_HEADER + " header");
        }
        String target = header.apply(GossipSignature.TARGET_HEADER);
        if (target == null) {
            return refuse(401, "no " + GossipSignature.TARGET_HEADER + " header: the sender signs as cluster-metrics "
                    + "before 0.2 did, which this node no longer takes (see the README on rolling upgrades)");
        }
        String sentService = header.apply(GossipSignature.SERVICE_HEADER);
        String sent = header.apply(GossipSignature.SIGNATURE_HEADER);
        if (!signature.verify(timestamp, GossipSignature.request(method, target, path, sentService, body), sent)) {
            return refuse(401, "missing or wrong " + GossipSignature.SIGNATURE_HEADER + " header");
        }
        long now = metrics.clock().millis();
        long skew = now - timestamp; // two comparisons, not Math.abs, which is negative for Long.MIN_VALUE
        if (skew <= maxSkewMillis && skew >= -maxSkewMillis) {
            return checkAddressed(target, sentService, local, sent, timestamp, now);
        }
        statistics.onRefused();
        return new Reply(401, null, "the message's timestamp is more than " + Duration.ofMillis(maxSkewMillis).toSeconds()
                + " s from this node's clock: a replay, or a sender to sign with this node's clock, given in \"now\"",
                Map.of("now", now), Map.of(GossipSignature.TIMESTAMP_HEADER, Long.toString(now),
                        GossipSignature.SIGNATURE_HEADER, signature.sign(now, sent.getBytes(StandardCharsets.US_ASCII))));
    }

    /**
     * The refusal of a validly signed request meant for another node (421: its target names another host or port
     * than this node's address or the connection's local end; a host name is taken on the local port, as nothing is
     * looked up), for another service (421), or seen before (401: a replay); null when it is this node's to take,
     * and then its signature is remembered until it leaves the skew window.
     */
    private Reply checkAddressed(String target, String sentService, InetSocketAddress local, String sent, long timestamp, long now) {
        if (!isThisNode(target, local)) {
            return refuse(421, "the request is signed for another node, " + LogSafe.of(target) + "; this node is "
                    + selfAddress.get());
        }
        if (service != null && sentService != null && !sentService.isEmpty() && !sentService.equals(service)) {
            return refuse(421, "the request is signed for service " + LogSafe.of(sentService) + "; this node is an instance of "
                    + service);
        }
        if (now >= nextSweep) {
            nextSweep = now + 1000;
            seen.values().removeIf(until -> until < now);
        }
        if (seen.putIfAbsent(sent, timestamp + maxSkewMillis) != null) {
            return refuse(401, "this signature was taken before: a replay");
        }
        return null;
    }

    /** Whether {@code target} names this node: its address, or the connection's local port on its address or a name. */
    private boolean isThisNode(String target, InetSocketAddress local) {
        String canonical;
        try {
            canonical = NodeAddress.parse(target);
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (canonical.equals(selfAddress.get())) {
            return true;
        }
        if (local == null || NodeAddress.port(canonical) != local.getPort()) {
            return false;
        }
        InetAddress literal = AllowedHosts.literal(NodeAddress.host(canonical));
        return literal == null || literal.equals(local.getAddress());
    }

    /** The 403 for a sender off loopback when no secret is set, or null for one on loopback. */
    private Reply checkLoopback(boolean loopback) {
        return loopback ? null : refuse(403, "no gossip secret is configured on this node, so only loopback senders are "
                + "accepted; set cluster.metrics.gossip.secret on every node");
    }

    /**
     * Whether both ends of a connection are loopback addresses, as a request without a secret must be. The
     * remote address alone is rewritten from {@code X-Forwarded-For} when forwarded headers are on (Boot turns
     * them on in Kubernetes), while a connection accepted on a loopback address can only come from this host.
     */
    public static boolean isLoopback(InetAddress local, InetAddress remote) {
        return local != null && remote != null && local.isLoopbackAddress() && remote.isLoopbackAddress();
    }

    private Reply refuse(int status, String reason) {
        statistics.onRefused();
        return new Reply(status, null, reason, Map.of(), Map.of());
    }
}
