package io.clustermetrics.gossip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.example.app.TestNodeApplication;
import com.example.reactive.ReactiveApplication;
import com.sun.net.httpserver.HttpServer;
import io.clustermetrics.ClusterMetrics;
import io.clustermetrics.GossipStatistics;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.client.RestClient;

/**
 * What a node's gossip client does with peers that answer as an attacker would (issue 20, points 3 and 6), over
 * real sockets, with every HTTP client the app may give it: the one Spring Boot detects on this class path
 * (Apache HttpClient 5, brought by the Eureka client), the ones {@code spring.http.clients.imperative.factory}
 * chooses, a {@link ClientHttpRequestFactoryBuilder} bean of the app's own, and a reactive app's (which has no
 * such bean, so the transport detects one itself).
 */
class OutgoingExchangeTest {

    private static final String SECRET = "outgoing-secret";
    private static final String GOSSIP = "/cluster-metrics/gossip";

    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        java.util.Collections.reverse(closing);
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    /** A node, its HTTP client chosen by {@code client}, with {@code properties} on the fast timings. */
    private ConfigurableApplicationContext node(String client, String... properties) {
        List<String> all = new ArrayList<>(TestNodeApplication.FAST);
        all.add("cluster.metrics.gossip.secret=" + SECRET);
        all.addAll(List.of(properties));
        ConfigurableApplicationContext node = switch (client) {
            case "detected" -> TestNodeApplication.start(all.toArray(String[]::new));
            case "reactive" -> ReactiveApplication.start(all.toArray(String[]::new));
            case "user-bean" -> new SpringApplicationBuilder(TestNodeApplication.class, UserClient.class)
                    .properties(all.toArray(String[]::new)).run();
            default -> TestNodeApplication.start(Stream.concat(all.stream(),
                    Stream.of("spring.http.clients.imperative.factory=" + client)).toArray(String[]::new));
        };
        closing.add(node);
        return node;
    }

    /** An app's own HTTP client: Apache HttpClient 5 with a connection pool of its own settings. */
    @Configuration(proxyBeanMethods = false)
    static class UserClient {

        @Bean
        ClientHttpRequestFactoryBuilder<?> userClientHttpRequestFactoryBuilder() {
            return ClientHttpRequestFactoryBuilder.httpComponents()
                    .withConnectionManagerCustomizer(pool -> pool.setMaxConnTotal(50));
        }
    }

    /** A server counting every request it gets: where a redirect points. */
    private HttpServer trap(AtomicInteger hits) throws IOException {
        HttpServer trap = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        trap.createContext("/", exchange -> {
            hits.incrementAndGet();
            System.out.println("trap: " + exchange.getRequestMethod() + " " + exchange.getRequestURI() + " signed: "
                    + exchange.getRequestHeaders().containsKey(io.clustermetrics.wire.GossipSignature.SIGNATURE_HEADER));
            exchange.getRequestBody().readAllBytes();
            byte[] body = "{\"self\":\"http://127.0.0.1:1\",\"metrics\":[]}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        trap.start();
        closing.add(() -> trap.stop(0));
        return trap;
    }

    /** A peer answering gossip with {@code 307 Location: <trap>/admin/delete?confirm=yes}, and anything else with 200. */
    private String redirector(HttpServer trap) throws IOException {
        HttpServer peer = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        String location = "http://127.0.0.1:" + trap.getAddress().getPort() + "/admin/delete?confirm=yes";
        peer.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            if (exchange.getRequestURI().getPath().startsWith(GOSSIP)) {
                exchange.getResponseHeaders().set("Location", location);
                exchange.sendResponseHeaders(307, -1);
            } else {
                byte[] body = "redirector".getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        peer.start();
        closing.add(() -> peer.stop(0));
        return "http://127.0.0.1:" + peer.getAddress().getPort();
    }

    @ParameterizedTest
    @ValueSource(strings = {"detected", "user-bean", "reactive", "jdk", "reactor", "simple"})
    void aPeerAnsweringGossipWithARedirectSendsTheNodeNowhereAndCountsAsFailing(String client) throws Exception {
        AtomicInteger hits = new AtomicInteger();
        String peer = redirector(trap(hits));
        ConfigurableApplicationContext node = node(client, "cluster.metrics.gossip.peers=" + peer);
        GossipStatistics statistics = node.getBean(GossipStatistics.class);
        HttpMetricsTransport transport = node.getBean(HttpMetricsTransport.class);
        await().atMost(Duration.ofSeconds(30)).until(() -> statistics.rounds() >= 25);
        System.out.printf("%s: 25 rounds with one peer answering pushes with 307: %d failed, %d sent, failing peers %s; "
                + "requests at the redirect's target: %d%n", client, statistics.failed(), statistics.sent(),
                transport.failingPeers(), hits.get());
        assertThat(statistics.failed()).isGreaterThanOrEqualTo(3);
        assertThat(transport.failingPeers()).containsExactly(peer);
        assertThat(hits.get()).as("requests the redirect made the node send").isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"detected", "reactive"})
    void anObservedInstanceAnsweringAPullWithARedirectSendsTheClientNowhere(String client) throws Exception {
        AtomicInteger hits = new AtomicInteger();
        String instance = redirector(trap(hits));
        ConfigurableApplicationContext web = node(client, "spring.application.name=web",
                "cluster.metrics.loadbalancer.enabled=true",
                "spring.cloud.discovery.client.simple.instances.orders[0].uri=" + instance);
        if (client.equals("reactive")) {
            assertThat(web.getBean("loadBalancedWebClientBuilder", org.springframework.web.reactive.function.client.WebClient.Builder.class)
                    .build().get().uri("http://orders/whoami").retrieve().bodyToMono(String.class).block()).isEqualTo("redirector");
        } else {
            assertThat(web.getBean("loadBalancedRestClientBuilder", RestClient.Builder.class).build()
                    .get().uri("http://orders/whoami").retrieve().body(String.class)).isEqualTo("redirector");
        }
        GossipStatistics statistics = web.getBean(GossipStatistics.class);
        HttpMetricsTransport transport = web.getBean(HttpMetricsTransport.class);
        long rounds = statistics.rounds();
        await().atMost(Duration.ofSeconds(30)).until(() -> statistics.rounds() >= rounds + 25);
        System.out.printf("%s: 25 rounds observing an instance answering pulls with 307: %d failed, failing peers %s; "
                + "requests at the redirect's target: %d%n", client, statistics.failed(), transport.failingPeers(), hits.get());
        assertThat(statistics.failed()).isGreaterThanOrEqualTo(3);
        assertThat(transport.failingPeers()).containsExactly(instance);
        assertThat(hits.get()).as("requests the redirect made the client send").isZero();
    }

    /**
     * A peer answering {@code 200} with a body of 10 MB announced, then one byte every 100 ms (faster than any read
     * timeout) until the sender hangs up: counts the exchanges it gets and those the sender ended.
     */
    private static final class Trickler implements AutoCloseable {

        final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final AtomicInteger exchanges = new AtomicInteger();
        final AtomicInteger endedBySender = new AtomicInteger();

        Trickler() throws IOException {
            Thread acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket socket = server.accept();
                        Thread trickle = new Thread(() -> trickle(socket), "trickler");
                        trickle.setDaemon(true);
                        trickle.start();
                    } catch (IOException closed) {
                        return;
                    }
                }
            }, "trickler-accept");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        String address() {
            return "http://127.0.0.1:" + server.getLocalPort();
        }

        private void trickle(Socket socket) {
            try (socket) {
                InputStream in = socket.getInputStream();
                int matched = 0;
                while (matched < 4) { // the request's head; its body, if any, is left unread
                    int b = in.read();
                    if (b < 0) {
                        return;
                    }
                    matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
                }
                exchanges.incrementAndGet();
                OutputStream out = socket.getOutputStream();
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n\r\n{")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                while (!server.isClosed()) {
                    Thread.sleep(100);
                    out.write(' ');
                    out.flush();
                }
            } catch (IOException ended) {
                endedBySender.incrementAndGet();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"detected", "reactive", "jdk", "reactor", "simple"})
    void peersTricklingTheirAnswersCannotHoldTheSendersFromARealPeer(String client) throws Exception {
        List<Trickler> tricklers = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Trickler trickler = new Trickler();
            closing.add(trickler);
            tricklers.add(trickler);
        }
        ConfigurableApplicationContext real = node("detected", "cluster.metrics.ttl=4s");
        List<String> peers = new ArrayList<>(tricklers.stream().map(Trickler::address).toList());
        peers.add(TestNodeApplication.address(real));
        // a deadline of 1.5 gossip intervals, as the defaults' is one (3 s), and a ttl of 20 (the defaults': 5): with the
        // simple client, whose close waits for the read in progress, the real peer's sample was up to 1.9 s old
        // (before the deadline, the held threads let it expire whatever the ttl)
        ConfigurableApplicationContext node = node(client, "cluster.metrics.gossip.peers=" + String.join(",", peers),
                "cluster.metrics.gossip.connect-timeout=100ms", "cluster.metrics.gossip.read-timeout=200ms",
                "cluster.metrics.ttl=4s");
        String self = node.getBean(ClusterMetricsGossip.class).selfAddress();
        ClusterMetrics atRealPeer = real.getBean(ClusterMetrics.class);
        await().atMost(Duration.ofSeconds(20)).until(() -> atRealPeer.age(self).isPresent());

        long observeMillis = client.equals("detected") ? 20_000 : 10_000;
        long end = System.currentTimeMillis() + observeMillis;
        long maxAgeMillis = 0;
        long sumAgeMillis = 0;
        int checks = 0;
        int expired = 0;
        while (System.currentTimeMillis() < end) {
            Thread.sleep(100);
            java.util.Optional<Duration> age = atRealPeer.age(self);
            if (age.isEmpty()) {
                expired++;
            } else {
                maxAgeMillis = Math.max(maxAgeMillis, age.get().toMillis());
                sumAgeMillis += age.get().toMillis();
                checks++;
            }
        }
        HttpMetricsTransport transport = node.getBean(HttpMetricsTransport.class);
        int exchanges = tricklers.stream().mapToInt(t -> t.exchanges.get()).sum();
        int ended = tricklers.stream().mapToInt(t -> t.endedBySender.get()).sum();
        long meanAgeMillis = checks == 0 ? -1 : sumAgeMillis / checks;
        System.out.printf("%s: %d s with 6 trickling peers: at the real peer, this node's sample's age %d ms on average, "
                + "%d ms at most, expired at %d of the checks every 100 ms; trickling exchanges %d, ended by the node %d; "
                + "failing peers %d (%d failed in all); the real peer took %d and refused %d%n", client, observeMillis / 1000,
                meanAgeMillis, maxAgeMillis, expired, exchanges, ended, transport.failingPeers().size(),
                node.getBean(GossipStatistics.class).failed(), real.getBean(GossipStatistics.class).received(),
                real.getBean(GossipStatistics.class).refused());
        assertThat(expired).as("checks that found this node's sample expired at the real peer").isZero();
        assertThat(meanAgeMillis).as("mean age of this node's sample at the real peer (gossip every 200 ms)").isLessThan(1_000);
        assertThat(transport.failingPeers()).containsAll(tricklers.stream().map(Trickler::address).toList());
        assertThat(ended).as("trickling exchanges the node ended").isGreaterThan(6);
    }
}
