package io.clustermetrics.sample;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The sample cluster as a person starts it: {@code ./run-cluster.sh}, here on free loopback ports (three
 * nodes, and the gateway on the port below them) and with the jars Maven has just packaged
 * ({@code SKIP_BUILD=1}). Closing it sends the script SIGTERM and waits for it, and then kills whatever it left
 * behind.
 */
final class LocalCluster implements AutoCloseable {

    /** The repository's root, where {@code run-cluster.sh} is. */
    static final Path ROOT = Path.of(System.getProperty("basedir", System.getProperty("user.dir")))
            .toAbsolutePath().getParent();

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    final Process script;
    final List<String> nodes;
    /** The gateway's base URL: Spring Cloud Gateway, routing {@code /work/**} to {@code lb://sample-app}. */
    final String gateway;
    final Path output;

    private LocalCluster(Process script, List<String> nodes, String gateway, Path output) {
        this.script = script;
        this.nodes = nodes;
        this.gateway = gateway;
        this.output = output;
    }

    /** Starts the script; its output and the nodes' and the gateway's logs go to {@code target/<name>/}. */
    static LocalCluster start(String name) throws IOException {
        int base = freeBasePort();
        int gatewayPort = base - 1;
        Path dir = ROOT.resolve("sample-app/target/" + name);
        Files.createDirectories(dir);
        Path output = dir.resolve("run-cluster.out");
        ProcessBuilder builder = new ProcessBuilder(ROOT.resolve("run-cluster.sh").toString())
                .directory(ROOT.toFile())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile());
        builder.environment().put("BASE_PORT", String.valueOf(base));
        builder.environment().put("GATEWAY_PORT", String.valueOf(gatewayPort));
        builder.environment().put("SKIP_BUILD", "1");
        builder.environment().put("LOG_DIR", dir.toString());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        List<String> nodes = IntStream.range(base, base + 3).mapToObj(p -> "http://127.0.0.1:" + p).toList();
        return new LocalCluster(builder.start(), nodes, "http://127.0.0.1:" + gatewayPort, output);
    }

    /** Waits until every node's {@code /actuator/clustermetrics} lists all three nodes. */
    void awaitWholeView(Duration atMost) {
        await().atMost(atMost).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .failFast("run-cluster.sh exited", () -> !script.isAlive())
                .until(this::hasWholeView);
    }

    private boolean hasWholeView() throws IOException, InterruptedException {
        for (String node : nodes) {
            if (!view(node).equals(nodes)) {
                return false;
            }
        }
        return true;
    }

    /** The addresses {@code node}'s {@code /actuator/clustermetrics} lists. */
    static List<String> view(String node) throws IOException, InterruptedException {
        JsonNode view = JSON.readTree(get(node + "/actuator/clustermetrics"));
        return view.get("nodes").valueStream().map(n -> n.get("address").asString()).toList();
    }

    /**
     * The gateway's {@code /actuator/clustermetrics}: the sample-app nodes it pulled (and itself), and in
     * {@code routedServices} what it knows of the instances it routes {@code lb://sample-app} among, once it has
     * routed there.
     */
    JsonNode gatewayView() throws IOException, InterruptedException {
        return JSON.readTree(get(gateway + "/actuator/clustermetrics"));
    }

    /**
     * Whether the gateway routes {@code lb://sample-app} by the load of all three nodes: it lists them as
     * {@code sample-app} nodes, and its {@code routedServices} has {@code sample-app} with 3 instances, none
     * unmatched to a node's metrics.
     */
    boolean gatewayFollowsAllNodes() throws IOException, InterruptedException {
        JsonNode view = gatewayView();
        List<String> observed = view.get("nodes").valueStream()
                .filter(n -> "sample-app".equals(n.path("service").asString(null)))
                .map(n -> n.get("address").asString()).toList();
        JsonNode routed = view.path("routedServices").path("sample-app");
        return observed.equals(nodes) && routed.path("instances").asInt(-1) == nodes.size()
                && routed.path("unmatched").isArray() && routed.path("unmatched").isEmpty()
                && !routed.path("missing").asBoolean(true);
    }

    /** The body of a 200 answer to GET {@code url}. */
    static String get(String url) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(url + " answered " + response.statusCode());
        }
        return response.body();
    }

    /** The Java processes the script started, while they run. */
    List<ProcessHandle> javaProcesses() {
        return script.descendants()
                .filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false))
                .toList();
    }

    /** What the script has printed so far. */
    String output() throws IOException {
        return Files.readString(output);
    }

    /** Stops the script with SIGTERM, as a service manager would; kills what is left after 20 s. */
    @Override
    public void close() throws InterruptedException {
        List<ProcessHandle> left = script.descendants().toList();
        script.destroy();
        if (!script.waitFor(20, TimeUnit.SECONDS)) {
            script.destroyForcibly();
        }
        left.forEach(ProcessHandle::destroyForcibly);
    }

    /** A port p with p - 1 (the gateway's), p, p + 1 and p + 2 free on loopback. */
    private static int freeBasePort() throws IOException {
        for (int attempt = 0; attempt < 100; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(20_000, 32_000); // below Linux's ephemeral ports
            if (IntStream.range(base - 1, base + 3).allMatch(LocalCluster::isFree)) {
                return base;
            }
        }
        throw new IOException("no four consecutive free ports found");
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
