package io.clustermetrics.autoconfigure;

import io.clustermetrics.MetricsPdu;
import io.clustermetrics.MetricsTransport;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.HttpClientErrorException;

/**
 * Sends gossip as HTTP POSTs to {@code <peer><path>}, signed when a secret is set. Sends run on the
 * transport's own few threads with short timeouts, so a dead or slow peer never delays a gossip round or
 * the other peers: a peer with a send in flight is skipped, and a failing peer is retried with
 * exponential backoff (from the gossip interval up to eight intervals). The log gets one warning when a
 * peer starts failing and one line when it answers again. A signed message a peer refuses for its
 * timestamp is signed again, once, in the peer's time as its answer gives it (signed by the secret over the
 * refused message's signature, so nobody else can set it), and so are the next ones: nodes whose clocks
 * differ by more than the skew window still gossip.
 */
public final class HttpMetricsTransport implements MetricsTransport, DisposableBean {

    private static final Log log = LogFactory.getLog(HttpMetricsTransport.class);

    private final RestClient http;
    private final GossipCodec codec;
    private final GossipSignature signature;
    private final GossipStatistics statistics;
    private final String path;
    private final long maxBodyBytes;
    private final long baseBackoffMillis;
    private final ThreadPoolExecutor senders;
    private final Map<String, Peer> peers = new ConcurrentHashMap<>();
    private final Map<String, Long> clockOffsets = new ConcurrentHashMap<>();
    private final InstantSource clock;

    /** A peer's state: whether a send is in flight, how often and until when it has failed, whether it took the last. */
    private record Peer(boolean inFlight, int failures, long retryAt, boolean answered) {}

    /**
     * @param gossip the gossip settings: path, secret, timeouts, body limit, interval (the backoff unit)
     * @param codec the wire format
     * @param statistics where sends and failures are counted
     * @param clock this node's clock, for the signature's timestamp and the backoff
     */
    public HttpMetricsTransport(ClusterMetricsProperties.Gossip gossip, GossipCodec codec, GossipStatistics statistics,
            InstantSource clock) {
        SimpleClientHttpRequestFactory requests = new SimpleClientHttpRequestFactory();
        requests.setConnectTimeout(gossip.connectTimeout());
        requests.setReadTimeout(gossip.readTimeout());
        this.http = RestClient.builder().requestFactory(requests).build();
        this.codec = codec;
        this.signature = gossip.secret() == null ? null : new GossipSignature(gossip.secret());
        this.statistics = statistics;
        this.path = gossip.path();
        this.maxBodyBytes = gossip.maxBodySize().toBytes();
        this.baseBackoffMillis = gossip.interval().toMillis();
        int threads = Math.max(2, 2 * gossip.fanout());
        this.senders = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(4 * threads),
                runnable -> {
                    Thread t = new Thread(runnable, "cluster-metrics-gossip-send");
                    t.setDaemon(true);
                    return t;
                });
        this.senders.allowCoreThreadTimeOut(true);
        this.clock = clock;
    }

    @Override
    public boolean isAvailable(String targetNode) {
        Peer peer = peers.get(targetNode);
        return peer == null || (!peer.inFlight && clock.millis() >= peer.retryAt);
    }

    /** Whether the last send to {@code targetNode} was accepted; false for a peer never sent to. */
    @Override
    public boolean hasAnswered(String targetNode) {
        Peer peer = peers.get(targetNode);
        return peer != null && peer.answered;
    }

    @Override
    public void send(String targetNode, MetricsPdu pdu) {
        boolean[] claimed = {false};
        peers.compute(targetNode, (address, peer) -> {
            if (peer != null && peer.inFlight) {
                return peer;
            }
            claimed[0] = true;
            return peer == null ? new Peer(true, 0, 0, false) : new Peer(true, peer.failures, peer.retryAt, peer.answered);
        });
        if (!claimed[0]) {
            return;
        }
        try {
            senders.execute(() -> deliver(targetNode, pdu));
        } catch (RejectedExecutionException e) {
            failed(targetNode, "too many sends queued on this node", true);
        }
    }

    /** The peers whose last send failed, sorted. */
    public Set<String> failingPeers() {
        Set<String> failing = new TreeSet<>();
        peers.forEach((address, peer) -> {
            if (peer.failures > 0) {
                failing.add(address);
            }
        });
        return failing;
    }

    /** Forgets the state of every peer not in {@code current}, so that departed peers do not pile up. */
    public void retainPeers(Set<String> current) {
        peers.keySet().retainAll(current);
        clockOffsets.keySet().retainAll(current);
    }

    private void deliver(String target, MetricsPdu pdu) {
        try {
            for (byte[] body : codec.encode(pdu.samples(), maxBodyBytes)) {
                post(target, body);
                statistics.onSent();
            }
            Peer before = peers.put(target, new Peer(false, 0, 0, true));
            if (before != null && before.failures > 0) {
                log.info("Cluster metrics peer " + target + " answers again");
            }
        } catch (RuntimeException e) { // RestClientException, or an address that is not an HTTP URL
            failed(target, e.getMessage(), false);
        }
    }

    /**
     * Posts {@code body}, signed in the peer's time as last learned; if the peer refuses that time and gives
     * its own, signed by the secret over this message's signature, learns it and posts once again.
     */
    private void post(String target, byte[] body) {
        long timestamp = clock.millis() + clockOffsets.getOrDefault(target, 0L);
        String sent = signature == null ? null : signature.sign(timestamp, body);
        try {
            post(target, body, timestamp, sent);
        } catch (HttpClientErrorException.Unauthorized e) {
            long peerNow = peerClock(e, sent).orElseThrow(() -> e);
            long offset = peerNow - clock.millis();
            if (clockOffsets.put(target, offset) == null) {
                log.info(String.format("Cluster metrics peer %s refused this node's clock: its clock is %+d ms from this "
                        + "node's; gossip to it is now signed in its time", target, offset));
            }
            long retry = clock.millis() + offset;
            post(target, body, retry, signature.sign(retry, body));
        }
    }

    /** The peer's clock from its refusal of the message signed {@code sent}, if the secret signs it over {@code sent}. */
    private OptionalLong peerClock(HttpClientErrorException refusal, String sent) {
        HttpHeaders answer = refusal.getResponseHeaders();
        if (sent == null || answer == null) {
            return OptionalLong.empty();
        }
        try {
            long now = Long.parseLong(answer.getFirst(GossipSignature.TIMESTAMP_HEADER));
            return signature.verify(now, sent.getBytes(StandardCharsets.US_ASCII), answer.getFirst(GossipSignature.SIGNATURE_HEADER))
                    ? OptionalLong.of(now) : OptionalLong.empty();
        } catch (NumberFormatException absent) {
            return OptionalLong.empty();
        }
    }

    private void post(String target, byte[] body, long timestamp, String signed) {
        http.post()
                .uri(target + path)
                .contentType(MediaType.APPLICATION_JSON)
                .headers(headers -> {
                    if (signed != null) {
                        headers.set(GossipSignature.TIMESTAMP_HEADER, Long.toString(timestamp));
                        headers.set(GossipSignature.SIGNATURE_HEADER, signed);
                    }
                })
                .body(body)
                .retrieve()
                .toBodilessEntity();
    }

    /** Counts a failed send and backs off; {@code local} when this node, not the peer, failed it. */
    private void failed(String target, String reason, boolean local) {
        statistics.onFailed();
        Peer after = peers.compute(target, (address, peer) -> {
            int failures = peer == null ? 1 : peer.failures + 1;
            long backoff = baseBackoffMillis << Math.min(failures - 1, 3);
            return new Peer(false, failures, clock.millis() + backoff, local && peer != null && peer.answered);
        });
        if (after.failures == 1) {
            log.warn("Cluster metrics peer " + target + " does not answer gossip (" + reason
                    + "); retrying with backoff, quietly until it answers");
        }
    }

    /** Stops the sending threads; a send in flight is abandoned. */
    @Override
    public void destroy() throws InterruptedException {
        senders.shutdownNow();
        senders.awaitTermination(Duration.ofSeconds(5).toMillis(), TimeUnit.MILLISECONDS);
    }
}
