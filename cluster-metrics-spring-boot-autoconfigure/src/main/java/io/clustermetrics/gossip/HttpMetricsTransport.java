package io.clustermetrics.gossip;

import io.clustermetrics.GossipStatistics;
import io.clustermetrics.MetricsPdu;
import io.clustermetrics.MetricsTransport;
import io.clustermetrics.NodeAddress;
import io.clustermetrics.NodeAliases;
import io.clustermetrics.autoconfigure.ClusterMetricsProperties;
import io.clustermetrics.wire.AllowedHosts;
import io.clustermetrics.wire.GossipCodec;
import io.clustermetrics.wire.GossipReceiver;
import io.clustermetrics.wire.GossipSignature;
import io.clustermetrics.wire.LogSafe;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.boot.http.client.HttpComponentsClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.HttpRedirects;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.util.ClassUtils;
import org.springframework.web.client.RestClient;

/**
 * Gossip over HTTP: pushes are {@code POST <peer><path>}, an observer's pulls {@code GET <peer><path>}, signed
 * when a secret is set for the node and service they are meant for ({@link GossipSignature}); every answer must be
 * signed too. Requests run on the transport's own few threads
 * with short timeouts, so a dead or slow peer never delays a gossip round or the other peers: a peer with a
 * request in flight is skipped, and a failing peer is retried with exponential backoff (from the gossip
 * interval up to eight intervals). The log gets one warning when a peer starts failing and one line when it
 * answers again. A peer's answer says what it calls itself, which {@link NodeAliases} learns.
 *
 * <p>A signed request a peer refuses for its timestamp is signed again, once, in the peer's time as its answer
 * gives it (signed by the secret over the refused request's signature, so nobody else can set it), and so are
 * the next ones: nodes whose clocks differ by more than the skew window still gossip.
 *
 * <p>Requests go through the app's HTTP client as Spring Boot builds it (the caller's
 * {@link ClientHttpRequestFactoryBuilder}, an SSL bundle for https peers, an observation registry for
 * {@code http.client.requests}), with two rules of gossip's own: a redirect is never followed (it would take the
 * signed request wherever the peer says), and every exchange ends within {@code connect-timeout + read-timeout}
 * in all (a read timeout bounds each read only, so a peer trickling a long answer would hold a sending thread for
 * good): past that, the exchange is aborted (its connection closed) and counts as failed.
 */
public final class HttpMetricsTransport implements MetricsTransport, DisposableBean {

    private static final Log log = LogFactory.getLog(HttpMetricsTransport.class);

    private final ObservationRegistry observations;
    private final RestClient http;
    private final GossipCodec codec;
    private final GossipSignature signature;
    private final GossipStatistics statistics;
    private final NodeAliases aliases;
    private final String path;
    private final long maxBodyBytes;
    private final long maxAnswerBytes;
    private final long baseBackoffMillis;
    private final ThreadPoolExecutor senders;
    private final Map<String, Peer> peers = new ConcurrentHashMap<>();
    private final Map<String, Long> clockOffsets = new ConcurrentHashMap<>();
    private final InstantSource clock;
    private final AllowedHosts allowedHosts;
    private final String service;
    private final long exchangeTimeoutMillis;
    private final ScheduledThreadPoolExecutor watchdog;

    /** The deadline of the exchange running on this thread, for an HTTP client that registers its abort on it. */
    private static final ThreadLocal<Deadline> exchanging = new ThreadLocal<>();

    /** A peer's state: whether a request is in flight, how often and until when it has failed, whether it took the last. */
    private record Peer(boolean inFlight, int failures, long retryAt, boolean answered) {}

    /** A peer's answer: status, headers and at most {@code maxAnswerBytes + 1} bytes of body. */
    private record Answer(int status, HttpHeaders headers, byte[] body) {}

    /**
     * @param requestFactory the app's HTTP client, as Spring Boot builds one
     * @param ssl the SSL bundle https peers are verified with (and this node's client certificate); null for the JDK's
     *     defaults
     * @param settings the path, secret, body limit and interval (the backoff unit), and the fanout (threads)
     * @param codec the wire format
     * @param statistics where sends and failures are counted
     * @param aliases where what a peer calls itself is learned
     * @param clock this node's clock, for the signature's timestamp and the backoff
     * @param allowedHosts the hosts a pulled sample's address may name
     * @param observations observes each push and pull as {@code cluster.metrics.gossip.push} and
     *     {@code cluster.metrics.gossip.pull} (the peer as a high-cardinality key), around the HTTP exchanges' own
     *     {@code http.client.requests}; {@link ObservationRegistry#NOOP} for none
     * @param service the service this node is an instance of, which its pushes are bound to; null for none
     */
    public HttpMetricsTransport(ClientHttpRequestFactoryBuilder<?> requestFactory, SslBundle ssl,
            ClusterMetricsProperties.Gossip settings, GossipCodec codec, GossipStatistics statistics, NodeAliases aliases,
            InstantSource clock, AllowedHosts allowedHosts, ObservationRegistry observations, String service) {
        this.observations = observations;
        HttpClientSettings client = HttpClientSettings.defaults().withTimeouts(settings.connectTimeout(), settings.readTimeout())
                .withRedirects(HttpRedirects.DONT_FOLLOW).withSslBundle(ssl);
        this.http = RestClient.builder().requestFactory(abortable(requestFactory).build(client))
                .observationRegistry(observations).build();
        this.exchangeTimeoutMillis = settings.connectTimeout().plus(settings.readTimeout()).toMillis();
        this.watchdog = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread t = new Thread(runnable, "cluster-metrics-gossip-deadline");
            t.setDaemon(true);
            return t;
        });
        this.watchdog.setRemoveOnCancelPolicy(true);
        this.codec = codec;
        this.signature = settings.secret() == null ? null : new GossipSignature(settings.secret());
        this.statistics = statistics;
        this.aliases = aliases;
        this.path = settings.path();
        this.maxBodyBytes = settings.maxBodySize().toBytes();
        this.maxAnswerBytes = 16 * settings.maxBodySize().toBytes();
        this.baseBackoffMillis = settings.interval().toMillis();
        int threads = Math.max(2, 2 * settings.fanout());
        this.senders = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(4 * threads),
                runnable -> {
                    Thread t = new Thread(runnable, "cluster-metrics-gossip-send");
                    t.setDaemon(true);
                    return t;
                });
        this.senders.allowCoreThreadTimeOut(true);
        this.clock = clock;
        this.allowedHosts = allowedHosts;
        this.service = service;
    }

    @Override
    public boolean isAvailable(String targetNode) {
        Peer peer = peers.get(targetNode);
        return peer == null || (!peer.inFlight && clock.millis() >= peer.retryAt);
    }

    /** Whether the last request to {@code targetNode} was accepted; false for a peer never sent to. */
    @Override
    public boolean hasAnswered(String targetNode) {
        Peer peer = peers.get(targetNode);
        return peer != null && peer.answered;
    }

    @Override
    public void send(String targetNode, MetricsPdu pdu) {
        run(targetNode, "push", () -> {
            String self = null;
            for (byte[] body : codec.encode(pdu.samples(), maxBodyBytes)) {
                self = codec.self(request(targetNode, HttpMethod.POST, service, body));
                statistics.onSent();
            }
            if (self != null) {
                aliases.learn(targetNode, self);
            }
        });
    }

    @Override
    public void pull(String targetNode, String service, Consumer<MetricsPdu.View> onReply) {
        run(targetNode, "pull", () -> {
            MetricsPdu.View view = codec.decodeView(request(targetNode, HttpMethod.GET, service, null));
            String unacceptable = GossipReceiver.unacceptable(view.metrics(), allowedHosts);
            if (unacceptable != null) {
                throw new IllegalStateException("its answer is refused: " + unacceptable);
            }
            statistics.onSent();
            onReply.accept(new MetricsPdu.View(view.self(), view.service(),
                    GossipReceiver.withinHorizon(view.metrics(), clock.millis())));
        });
    }

    /**
     * Runs {@code exchange} on a sending thread unless a request to {@code target} is in flight, observed as
     * {@code cluster.metrics.gossip.<kind>}; records how it went.
     */
    private void run(String target, String kind, Runnable exchange) {
        boolean[] claimed = {false};
        peers.compute(target, (address, peer) -> {
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
            senders.execute(() -> {
                try {
                    Observation.createNotStarted("cluster.metrics.gossip." + kind, observations)
                            .contextualName("gossip " + kind)
                            .highCardinalityKeyValue("peer", LogSafe.of(target))
                            .observe(exchange);
                    Peer before = peers.put(target, new Peer(false, 0, 0, true));
                    if (before != null && before.failures > 0) {
                        log.info("Cluster metrics peer " + LogSafe.of(target) + " answers again");
                    }
                } catch (RuntimeException e) { // RestClientException, a refusal, a bad answer, an address that is no URL
                    failed(target, e.getMessage(), false);
                }
            });
        } catch (RejectedExecutionException e) {
            failed(target, "too many sends queued on this node", true);
        }
    }

    /** The peers whose last request failed, sorted. */
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

    /**
     * Sends a request, signed for {@code target} and {@code service} in the peer's time as last learned; if the peer
     * refuses that time and gives its own, signed by the secret over this request's signature, learns it and sends
     * once again. Returns the body of a 200, whose signature has been checked.
     */
    private byte[] request(String target, HttpMethod method, String service, byte[] body) {
        long timestamp = clock.millis() + clockOffsets.getOrDefault(target, 0L);
        Map<String, String> signed = sign(timestamp, target, method, service, body);
        String sent = signed.get(GossipSignature.SIGNATURE_HEADER);
        Answer answer = exchange(target, method, body, signed);
        OptionalLong peerNow = answer.status == 401 ? peerClock(answer.headers, sent) : OptionalLong.empty();
        if (peerNow.isPresent()) {
            long offset = peerNow.getAsLong() - clock.millis();
            if (clockOffsets.put(target, offset) == null) {
                log.info(String.format("Cluster metrics peer %s refused this node's clock: its clock is %+d ms from this "
                        + "node's; gossip to it is now signed in its time", LogSafe.of(target), offset));
            }
            timestamp = clock.millis() + offset;
            signed = sign(timestamp, target, method, service, body);
            sent = signed.get(GossipSignature.SIGNATURE_HEADER);
            answer = exchange(target, method, body, signed);
        }
        if (answer.status != 200) {
            throw new IllegalStateException("it answered HTTP " + answer.status);
        }
        if (answer.body.length > maxAnswerBytes) {
            throw new IllegalStateException("its answer is larger than " + maxAnswerBytes + " bytes");
        }
        if (signature != null && !signature.verify(timestamp,
                GossipSignature.answer(sent, answer.body), answer.headers.getFirst(GossipSignature.SIGNATURE_HEADER))) {
            throw new IllegalStateException("its answer is not signed with the gossip secret");
        }
        return answer.body;
    }

    /** The signature headers of a request to {@code target}; none without a secret. */
    private Map<String, String> sign(long timestamp, String target, HttpMethod method, String service, byte[] body) {
        return signature == null ? Map.of()
                : signature.headers(timestamp, method.name(), NodeAddress.canonical(target), path, service, body);
    }

    /** The peer's clock from its refusal of the request signed {@code sent}, if the secret signs it over {@code sent}. */
    private OptionalLong peerClock(HttpHeaders answer, String sent) {
        if (sent == null) {
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

    /**
     * One HTTP exchange, aborted if it is not over within {@code exchangeTimeoutMillis}: an answer whose body
     * cannot be read whole (cut off, or past the deadline) is a failure.
     */
    private Answer exchange(String target, HttpMethod method, byte[] body, Map<String, String> signed) {
        RestClient.RequestBodySpec request = http.method(method)
                .uri(URI.create(target + path))
                .accept(MediaType.APPLICATION_JSON)
                .headers(headers -> signed.forEach(headers::set));
        if (body != null) {
            request.contentType(MediaType.APPLICATION_JSON).body(body);
        }
        Deadline deadline = new Deadline();
        ScheduledFuture<?> timer = watchdog.schedule(deadline::pass, exchangeTimeoutMillis, TimeUnit.MILLISECONDS);
        exchanging.set(deadline);
        try {
            return request.exchange((req, response) -> {
                int status = response.getStatusCode().value();
                byte[] answer;
                InputStream in = response.getBody();
                deadline.onPass(() -> closeQuietly(in));
                try (in) {
                    answer = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 1, maxAnswerBytes + 1));
                } catch (IOException e) {
                    if (status == 200 || deadline.passed) {
                        throw new IllegalStateException("its answer broke off: " + e.getMessage());
                    }
                    answer = new byte[0];
                }
                if (deadline.passed) { // some clients' streams end quietly when closed: the answer is cut off
                    throw new IllegalStateException("its answer broke off at the deadline");
                }
                return new Answer(status, response.getHeaders(), answer);
            }, true);
        } catch (RuntimeException e) {
            if (deadline.passed) {
                throw new IllegalStateException("the exchange took longer than " + exchangeTimeoutMillis + " ms", e);
            }
            throw e;
        } finally {
            exchanging.remove();
            timer.cancel(false);
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException | RuntimeException ignored) {
            // the reading thread sees the failure
        }
    }

    /**
     * {@code builder}, with an abort hook for Apache HttpClient, whose answer streams drain the rest of the body on
     * close (a trickle never ends): its connection is closed at the deadline instead. The other clients' answer
     * streams end the exchange when closed.
     */
    private static ClientHttpRequestFactoryBuilder<?> abortable(ClientHttpRequestFactoryBuilder<?> builder) {
        boolean httpComponents = ClassUtils.isPresent("org.apache.hc.client5.http.classic.ExecChainHandler",
                HttpMetricsTransport.class.getClassLoader());
        return httpComponents && builder instanceof HttpComponentsClientHttpRequestFactoryBuilder hc
                ? HttpComponentsAbort.register(hc) : builder;
    }

    /** Registers each Apache HttpClient exchange's abort on the deadline of the exchange running on its thread. */
    private static final class HttpComponentsAbort {

        static HttpComponentsClientHttpRequestFactoryBuilder register(HttpComponentsClientHttpRequestFactoryBuilder builder) {
            return builder.withHttpClientCustomizer(client -> client.addExecInterceptorFirst("cluster-metrics-deadline",
                    (request, scope, chain) -> {
                        Deadline deadline = exchanging.get();
                        if (deadline != null) {
                            deadline.onPass(scope.execRuntime::discardEndpoint);
                        }
                        return chain.proceed(request, scope);
                    }));
        }
    }

    /** When an exchange is over its time: what aborts it, run by the watchdog. */
    private static final class Deadline {

        private final List<Runnable> aborts = new CopyOnWriteArrayList<>();
        private volatile boolean passed;

        /** Runs {@code abort} when the deadline passes, or now if it has. */
        void onPass(Runnable abort) {
            aborts.add(abort);
            if (passed) {
                abort.run();
            }
        }

        void pass() {
            passed = true;
            for (Runnable abort : aborts) {
                try {
                    abort.run();
                } catch (RuntimeException e) {
                    log.debug("Aborting a gossip exchange failed", e);
                }
            }
        }
    }

    /** Counts a failed request and backs off; {@code local} when this node, not the peer, failed it. */
    private void failed(String target, String reason, boolean local) {
        statistics.onFailed();
        Peer after = peers.compute(target, (address, peer) -> {
            int failures = peer == null ? 1 : peer.failures + 1;
            long backoff = baseBackoffMillis << Math.min(failures - 1, 3);
            return new Peer(false, failures, clock.millis() + backoff, local && peer != null && peer.answered);
        });
        if (after.failures == 1) {
            log.warn("Cluster metrics peer " + LogSafe.of(target) + " does not answer gossip (" + LogSafe.of(reason)
                    + "); retrying with backoff, quietly until it answers");
        }
    }

    /** Stops the sending threads; a request in flight is abandoned. */
    @Override
    public void destroy() throws InterruptedException {
        watchdog.shutdownNow();
        senders.shutdownNow();
        senders.awaitTermination(Duration.ofSeconds(5).toMillis(), TimeUnit.MILLISECONDS);
    }
}
