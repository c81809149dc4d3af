package io.clustermetrics.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.app.TestNodeApplication;
import com.example.reactive.ReactiveApplication;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * What an attacker sends after a refusal (issue 20, point 1): 200 connections send a gossip push's headers with
 * {@code Content-Length: 60000}, unsigned (refused 401 before the body) or with made-up signature headers (which
 * pass the precheck, then wait for the body or are refused 503), and then go on sending one byte a second after
 * their answer. A refused connection must be closed, not read to its end on a server thread: {@code /actuator/health}
 * and the app's own {@code /whoami} answer every probe meanwhile, and every connection is closed by the server.
 * Servlet (Tomcat) and reactive (Reactor Netty). Before, Tomcat read every refused body to its end in a worker
 * thread, one thread per slow sender, and the probes timed out.
 */
class TrickledBodyTest {

    private static final int CONNECTIONS = 200;
    private static final Duration TRICKLE = Duration.ofSeconds(12);

    @ParameterizedTest(name = "{0}, {1}")
    @CsvSource({"servlet, unsigned", "servlet, fake-signature", "reactive, unsigned", "reactive, fake-signature"})
    void aRefusedSenderTricklingItsBodyHoldsNoThread(String stack, String signature) throws Exception {
        String[] properties = {"cluster.metrics.gossip.secret=" + TrustBoundaryTest.SECRET,
                "cluster.metrics.gossip.receive-timeout=3s"};
        try (ConfigurableApplicationContext node = stack.equals("servlet") ? TestNodeApplication.start(properties)
                : ReactiveApplication.start(properties)) {
            String base = TestNodeApplication.address(node);
            int port = Integer.parseInt(base.substring(base.lastIndexOf(':') + 1));
            String headers = "POST /cluster-metrics/gossip HTTP/1.1\r\nHost: 127.0.0.1:" + port
                    + "\r\nContent-Type: application/json\r\nContent-Length: 60000\r\n"
                    + (signature.equals("unsigned") ? "" : "X-Cluster-Metrics-Timestamp: " + System.currentTimeMillis()
                            + "\r\nX-Cluster-Metrics-Signature: sha256=00\r\n") + "\r\n";
            List<Socket> sockets = new ArrayList<>();
            ExecutorService readers = Executors.newFixedThreadPool(CONNECTIONS);
            Map<Socket, Boolean> closedByServer = new ConcurrentHashMap<>();
            try {
                List<Future<String>> statuses = new ArrayList<>();
                for (int i = 0; i < CONNECTIONS; i++) {
                    Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
                    socket.setSoTimeout((int) TRICKLE.plusSeconds(20).toMillis());
                    sockets.add(socket);
                    socket.getOutputStream().write(headers.getBytes(StandardCharsets.US_ASCII));
                    socket.getOutputStream().flush();
                    statuses.add(readers.submit(() -> {
                        InputStream in = socket.getInputStream();
                        String status = line(in);
                        try {
                            while (in.read() >= 0) {
                                // the answer's headers and body, then the end of the stream: the server closed it
                            }
                            closedByServer.put(socket, true);
                        } catch (IOException e) {
                            closedByServer.put(socket, !e.getMessage().contains("timed out"));
                        }
                        return status;
                    }));
                }
                AtomicInteger bytesSent = new AtomicInteger();
                Thread trickler = new Thread(() -> {
                    long end = System.nanoTime() + TRICKLE.toNanos();
                    while (System.nanoTime() < end) {
                        for (Socket socket : sockets) {
                            try {
                                OutputStream out = socket.getOutputStream();
                                out.write('x');
                                out.flush();
                                bytesSent.incrementAndGet();
                            } catch (IOException closed) {
                                // the server closed it: what it should do
                            }
                        }
                        try {
                            Thread.sleep(1000);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                });
                trickler.start();
                HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
                List<String> probes = new ArrayList<>();
                int answered = 0;
                long start = System.nanoTime();
                while (System.nanoTime() - start < TRICKLE.minusSeconds(1).toNanos()) {
                    Thread.sleep(1000);
                    for (String path : List.of("/actuator/health", "/whoami")) {
                        long t0 = System.nanoTime();
                        String outcome;
                        try {
                            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + path))
                                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                            outcome = response.statusCode() + " in " + (System.nanoTime() - t0) / 1_000_000 + " ms";
                            answered += response.statusCode() == 200 ? 1 : 0;
                        } catch (java.net.http.HttpTimeoutException e) {
                            outcome = "timed out (10 s)";
                        }
                        probes.add(path + ": " + outcome);
                    }
                }
                trickler.join();
                Map<String, Long> counts = new java.util.TreeMap<>();
                for (Future<String> status : statuses) {
                    String line;
                    try {
                        line = status.get(25, java.util.concurrent.TimeUnit.SECONDS);
                    } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                        line = null;
                    }
                    counts.merge(line == null ? "no answer" : line.split(" ")[1], 1L, Long::sum);
                }
                long closed = closedByServer.values().stream().filter(b -> b).count();
                System.out.printf("%s, %s: %d/%d probes answered 200 within 10 s %s; gossip answers %s; closed by the "
                        + "server %d/%d; trickled bytes accepted by the sockets %d%n", stack, signature, answered,
                        probes.size(), probes, counts, closed, CONNECTIONS, bytesSent.get());
                assertThat(answered).as("health and /whoami probes answered during the trickle: " + probes)
                        .isEqualTo(probes.size());
                assertThat(counts.keySet()).as("every sender answered at once or after the receive timeout")
                        .isSubsetOf("401", "408", "503");
                assertThat(closed).as("connections closed by the server rather than read").isEqualTo(CONNECTIONS);
            } finally {
                for (Socket socket : sockets) {
                    socket.close();
                }
                readers.shutdownNow();
            }
        }
    }

    /** One line of the answer, without its CR LF; null at the end of the stream. */
    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c >= 0; c = in.read()) {
            if (c == '\n') {
                return line.toString().strip();
            }
            line.append((char) c);
        }
        return line.isEmpty() ? null : line.toString();
    }
}
