package io.clustermetrics.benchmarks.processes;

import io.clustermetrics.ClusterMetrics;
import io.clustermetrics.NodeMetrics;
import io.clustermetrics.benchmarks.processes.BenchClient.Strategy;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.cloud.loadbalancer.support.LoadBalancerClientFactory;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.client.HttpStatusCodeException;
import org.springframework.web.client.RestClient;

/**
 * The routing benchmark over real processes: four {@link WorkBackend} JVMs of one service on loopback, with
 * worker pools of 1, 2, 4 and 8 (the 1-worker one slowing 5x halfway through each phase), and this JVM as the
 * client, a Spring Boot app ({@link BenchClient}) calling them through a {@code @LoadBalanced RestClient}. An
 * open-loop generator sends Poisson arrivals at each load (a share of the pools' total capacity), the same
 * arrivals for every strategy, and records each call's latency from its intended start in an HdrHistogram, so
 * a stalled client cannot hide its queue (no coordinated omission). Two variants: the backends report their
 * pool's utilization with OSHI's CPU, or a static, equal CPU and no utilization, so that only what the client
 * measures tells them apart. Prints a table per variant; with {@code --check}, exits 1 if the default router
 * has errors or loses an ordering the benchmark promises. Stops every process it started.
 *
 * <p>Arguments: {@code --seconds=20} per phase, {@code --loads=0.5,0.7,0.9}, {@code --variants=utilization,equal-cpu},
 * {@code --service-ms=50}, {@code --check}, {@code --seed=1}.
 */
public final class ProcessBenchmark {

    private static final int[] WORKERS = {1, 2, 4, 8};
    private static final double SLOWDOWN = 5.0;
    private static final Duration SETTLE = Duration.ofSeconds(4);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<Process> backends = new ArrayList<>();
    private final int[] ports = new int[WORKERS.length];
    private final List<String> addresses; // the backends' base URLs, by port
    private final Map<String, String> options;
    private final double serviceMillis;

    private ProcessBenchmark(Map<String, String> options) throws IOException {
        this.options = options;
        this.serviceMillis = Double.parseDouble(options.getOrDefault("service-ms", "50"));
        for (int i = 0; i < ports.length; i++) {
            try (ServerSocket socket = new ServerSocket(0)) {
                ports[i] = socket.getLocalPort();
            }
        }
        addresses = Arrays.stream(ports).mapToObj(p -> "http://127.0.0.1:" + p).toList();
    }

    /** One phase's outcome. */
    record Result(Strategy strategy, double load, long offered, long errors, double completedShare, double p50,
            double p99, double p999, Map<String, Double> shares, Map<String, Long> errorsBy) {}

    public static void main(String[] args) throws Exception {
        Map<String, String> options = Arrays.stream(args).map(a -> a.replaceFirst("^--", "").split("=", 2))
                .collect(Collectors.toMap(kv -> kv[0], kv -> kv.length > 1 ? kv[1] : "true", (a, b) -> b, LinkedHashMap::new));
        ProcessBenchmark benchmark = new ProcessBenchmark(options);
        Runtime.getRuntime().addShutdownHook(new Thread(benchmark::stopBackends));
        boolean ok;
        try {
            ok = benchmark.run();
        } finally {
            benchmark.stopBackends();
        }
        System.exit(ok ? 0 : 1);
    }

    private boolean run() throws Exception {
        double seconds = Double.parseDouble(options.getOrDefault("seconds", "20"));
        double[] loads = Arrays.stream(options.getOrDefault("loads", "0.5,0.7,0.9").split(",")).mapToDouble(Double::parseDouble).toArray();
        List<String> variants = List.of(options.getOrDefault("variants", "utilization,equal-cpu").split(","));
        long seed = Long.parseLong(options.getOrDefault("seed", "1"));
        double capacity = Arrays.stream(WORKERS).sum() * 1000.0 / serviceMillis;
        System.out.printf(Locale.ROOT, "Backends: worker pools %s, mean service %.0f ms (exponential), total capacity %.0f calls/s;"
                + " the 1-worker backend slows %.0fx halfway through each %.0f s phase.%n",
                Arrays.toString(WORKERS), serviceMillis, capacity, SLOWDOWN, seconds);
        boolean ok = true;
        ConfigurableApplicationContext client = null;
        try {
            for (String variant : variants) {
                startBackends(variant);
                if (client == null) {
                    client = startClient();
                }
                BenchClient.Phases phases = client.getBean(LoadBalancerClientFactory.class)
                        .getInstance(BenchClient.SERVICE, BenchClient.Phases.class);
                awaitView(client.getBean(ClusterMetrics.class), phases, variant);
                RestClient rest = client.getBean(RestClient.Builder.class).build();
                ScheduledExecutorService keepObserving = Executors.newSingleThreadScheduledExecutor();
                keepObserving.scheduleAtFixedRate(() -> phases.observer().resolve(BenchClient.SERVICE, addresses), 0, 1,
                        TimeUnit.SECONDS);
                try {
                    phases.use(Strategy.CAPACITY_AWARE); // warm-up: JIT, connections, gossip; not recorded
                    phase(rest, Strategy.CAPACITY_AWARE, 0.5, capacity, Math.min(10, seconds), seed - 1, false);
                    List<Result> results = new ArrayList<>();
                    for (double load : loads) {
                        for (Strategy strategy : Strategy.values()) {
                            phases.use(strategy);
                            Result r = phase(rest, strategy, load, capacity, seconds, seed + Math.round(load * 100), true);
                            results.add(r);
                            System.out.printf(Locale.ROOT, "  %s at %.0f%%: p99 %.0f ms, %d errors %s%n", strategy.label,
                                    load * 100, r.p99(), r.errors(), r.errorsBy());
                        }
                    }
                    print(variant, results);
                    if (options.containsKey("check")) {
                        ok &= check(variant, results);
                    }
                } finally {
                    keepObserving.shutdownNow();
                }
                stopBackends();
            }
        } finally {
            if (client != null) {
                client.close();
            }
        }
        return ok;
    }

    /** Starts the four backends on their ports, gossiping with each other, and waits until each answers. */
    private void startBackends(String variant) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String peers = String.join(",", addresses);
        Path logs = Files.createDirectories(Path.of(options.getOrDefault("logs", "target/process-benchmark")));
        for (int i = 0; i < WORKERS.length; i++) {
            List<String> command = new ArrayList<>(List.of(java, "-Xmx160m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    "-cp", System.getProperty("java.class.path"), WorkBackend.class.getName(),
                    "--server.port=" + ports[i], "--server.address=127.0.0.1", "--spring.application.name=" + BenchClient.SERVICE,
                    "--spring.main.banner-mode=off", "--bench.name=w" + WORKERS[i], "--bench.workers=" + WORKERS[i],
                    "--bench.service-ms=" + serviceMillis, "--cluster.metrics.node-address=" + addresses.get(i),
                    "--cluster.metrics.gossip.peers=" + peers, "--cluster.metrics.sample-interval=1s",
                    "--cluster.metrics.moving-average-half-life=2s", "--cluster.metrics.gossip.interval=1s",
                    "--cluster.metrics.ttl=5s"));
            if (variant.equals("equal-cpu")) {
                command.addAll(List.of("--cluster.metrics.probe.type=static", "--cluster.metrics.probe.static.cpu-load=0.5",
                        "--bench.report-utilization=false"));
            } else if (!variant.equals("utilization")) {
                throw new IllegalArgumentException("variants are utilization and equal-cpu, was " + variant);
            }
            File log = logs.resolve(variant + "-w" + WORKERS[i] + ".log").toFile();
            backends.add(new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        for (String address : addresses) {
            while (!answers(address + "/control/name")) {
                if (System.nanoTime() > deadline || backends.stream().anyMatch(p -> !p.isAlive())) {
                    throw new IllegalStateException("a backend did not start; see " + logs.toAbsolutePath());
                }
                Thread.sleep(200);
            }
        }
    }

    private boolean answers(String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private ConfigurableApplicationContext startClient() {
        List<String> properties = new ArrayList<>(List.of("spring.main.web-application-type=none", "spring.main.banner-mode=off",
                "spring.application.name=bench-client", "spring.cloud.loadbalancer.cache.enabled=false",
                "cluster.metrics.gossip.interval=1s", "cluster.metrics.sample-interval=1s", "cluster.metrics.ttl=5s",
                "logging.level.root=warn"));
        for (int i = 0; i < ports.length; i++) {
            properties.add("spring.cloud.discovery.client.simple.instances." + BenchClient.SERVICE + "[" + i + "].uri=" + addresses.get(i));
        }
        return new SpringApplicationBuilder(BenchClient.class).properties(properties.toArray(String[]::new)).run();
    }

    /** Waits until the client holds a fresh sample of every backend, of the variant's kind. */
    private void awaitView(ClusterMetrics metrics, BenchClient.Phases phases, String variant) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            phases.observer().resolve(BenchClient.SERVICE, addresses);
            List<NodeMetrics> view = addresses.stream().map(metrics::get).flatMap(java.util.Optional::stream).toList();
            boolean fresh = view.size() == addresses.size() && view.stream().allMatch(m -> variant.equals("equal-cpu")
                    ? m.utilization() == null && m.cpuLoad() == 0.5 : m.utilization() != null);
            if (fresh) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the client never saw the four backends' " + variant + " samples: " + view);
            }
            Thread.sleep(250);
        }
    }

    /**
     * One phase: Poisson arrivals at {@code load} times {@code capacity} per second for {@code seconds}, each call on a thread of its own
     * so that none waits for another; the 1-worker backend slows at half time. Waits for every call to end, puts
     * the backend back to speed and lets the metrics settle.
     */
    private Result phase(RestClient rest, Strategy strategy, double load, double capacity, double seconds, long seed,
            boolean slowdown) throws Exception {
        double rate = load * capacity;
        SplittableRandom random = new SplittableRandom(seed);
        List<Long> offsets = new ArrayList<>();
        for (double t = 0; ; ) {
            t += -Math.log(1.0 - random.nextDouble()) / rate;
            if (t >= seconds) {
                break;
            }
            offsets.add((long) (t * 1e9));
        }
        Recorder latencies = new Recorder(3);
        LongAdder errors = new LongAdder();
        AtomicLong completedInTime = new AtomicLong();
        AtomicInteger outstanding = new AtomicInteger();
        Map<String, LongAdder> served = new ConcurrentHashMap<>();
        Map<String, LongAdder> failed = new ConcurrentHashMap<>();
        ExecutorService callers = Executors.newCachedThreadPool();
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
        long end = start + (long) (seconds * 1e9);
        long slowAt = slowdown ? start + (long) (seconds * 0.5e9) : Long.MAX_VALUE;
        boolean slowed = false;
        for (long offset : offsets) {
            long intended = start + offset;
            if (!slowed && intended >= slowAt) {
                setSlowdown(SLOWDOWN);
                slowed = true;
            }
            while (System.nanoTime() < intended) {
                LockSupport.parkNanos(intended - System.nanoTime());
            }
            outstanding.incrementAndGet();
            callers.execute(() -> {
                String backend = null;
                boolean ok = false;
                try {
                    backend = rest.get().uri("http://" + BenchClient.SERVICE + "/work").retrieve().body(String.class);
                    ok = true;
                } catch (HttpStatusCodeException e) { // a backend's 503 past its deadline names it too
                    backend = e.getResponseBodyAsString();
                    errors.increment();
                    failed.computeIfAbsent(backend, b -> new LongAdder()).increment();
                } catch (RuntimeException e) { // a timeout or a refused connection
                    errors.increment();
                    failed.computeIfAbsent("client", b -> new LongAdder()).increment();
                }
                long now = System.nanoTime();
                latencies.recordValue(Math.max(1, (now - intended) / 1_000));
                if (backend != null) {
                    served.computeIfAbsent(backend, b -> new LongAdder()).increment();
                }
                if (ok && now <= end) {
                    completedInTime.incrementAndGet();
                }
                outstanding.decrementAndGet();
            });
        }
        callers.shutdown();
        if (!callers.awaitTermination(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException(outstanding.get() + " calls still running 60 s after the phase");
        }
        if (slowed) {
            setSlowdown(1.0);
        }
        Thread.sleep(SETTLE.toMillis());
        Histogram h = latencies.getIntervalHistogram();
        long total = served.values().stream().mapToLong(LongAdder::sum).sum();
        Map<String, Double> shares = new java.util.TreeMap<>();
        served.forEach((backend, count) -> shares.put(backend, (double) count.sum() / Math.max(1, total)));
        return new Result(strategy, load, offsets.size(), errors.sum(), (double) completedInTime.get() / Math.max(1, offsets.size()),
                h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3, h.getValueAtPercentile(99.9) / 1e3, shares,
                new java.util.TreeMap<>(failed.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().sum()))));
    }

    private void setSlowdown(double factor) throws IOException, InterruptedException {
        http.send(HttpRequest.newBuilder(URI.create(addresses.get(0) + "/control/slowdown?factor=" + factor))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
    }

    private void print(String variant, List<Result> results) {
        System.out.printf(Locale.ROOT, "%n### Backends reporting %s%n%n", variant.equals("equal-cpu")
                ? "an equal, static CPU and no utilization (only the client's own measurements tell them apart)"
                : "their pool's utilization and OSHI's CPU");
        System.out.println("| load | strategy | p50 ms | p99 ms | p99.9 ms | errors | done in time | calls to w1 / w2 / w4 / w8 |");
        System.out.println("|---:|---|---:|---:|---:|---:|---:|---|");
        for (Result r : results) {
            String shares = Arrays.stream(WORKERS).mapToObj(w -> String.format(Locale.ROOT, "%.2f", r.shares().getOrDefault("w" + w, 0.0)))
                    .collect(Collectors.joining(" / "));
            String where = r.errorsBy().isEmpty() ? "" : " " + r.errorsBy().toString().replace("=", " ");
            System.out.printf(Locale.ROOT, "| %.0f%% | %s | %.0f | %.0f | %.0f | %d of %d%s | %.3f | %s |%n", r.load() * 100,
                    r.strategy().label, r.p50(), r.p99(), r.p999(), r.errors(), r.offered(), where, r.completedShare(), shares);
        }
    }

    /**
     * What {@code --check} fails on, for the default router. At 70%: a p99 above 0.3x round robin's, 0.8x
     * weighted's or {@code p2c-margin} (1.1) times the plain power of two's; any error when the backends report their
     * utilization. At every load: more errors than the power of two by over 1% of the calls, or 4 points fewer calls
     * done in time. The other targets are printed as met or missed, not failed on: no errors at 70% with
     * equal CPU, and at 90% holding the offered rate (no errors, at least 97% done within the phase). With equal
     * metrics two uniform draws give one backend at most half the calls, and the 8-worker one has 53% of the
     * capacity (56% once the 1-worker one slows): BENCHMARKS.md has the trace.
     */
    private boolean check(String variant, List<Result> results) {
        double margin = Double.parseDouble(options.getOrDefault("p2c-margin", "1.1"));
        boolean ok = true;
        for (Result r : results) {
            if (r.strategy() != Strategy.CAPACITY_AWARE) {
                continue;
            }
            Result p2c = of(results, Strategy.POWER_OF_TWO, r.load());
            ok &= expect(true, r.errors() <= p2c.errors() + r.offered() / 100 && r.completedShare() >= p2c.completedShare() - 0.04,
                    variant, r, "no worse than the power of two", String.format(Locale.ROOT,
                            "%d errors and %.3f done in time, against %d and %.3f", r.errors(), r.completedShare(),
                            p2c.errors(), p2c.completedShare()));
            if (Math.abs(r.load() - 0.7) < 1e-9) {
                ok &= expect(variant.equals("utilization"), r.errors() == 0, variant, r, "no errors", r.errors() + " errors");
                ok &= expect(true, r.p99() <= 0.3 * of(results, Strategy.ROUND_ROBIN, r.load()).p99(), variant, r,
                        "p99 <= 0.3x round robin's", ratio(r, results, Strategy.ROUND_ROBIN));
                ok &= expect(true, r.p99() <= 0.8 * of(results, Strategy.WEIGHTED, r.load()).p99(), variant, r,
                        "p99 <= 0.8x weighted's", ratio(r, results, Strategy.WEIGHTED));
                ok &= expect(true, r.p99() <= margin * p2c.p99(), variant, r, "p99 <= " + margin + "x the power of two's",
                        ratio(r, results, Strategy.POWER_OF_TWO));
            }
            if (Math.abs(r.load() - 0.9) < 1e-9) {
                expect(false, r.errors() == 0 && r.completedShare() >= 0.97, variant, r,
                        "target: holds the offered rate (no errors, >= 97% done in time)",
                        String.format(Locale.ROOT, "%d errors, %.3f", r.errors(), r.completedShare()));
            }
        }
        return ok;
    }

    private static Result of(List<Result> results, Strategy strategy, double load) {
        return results.stream().filter(r -> r.strategy() == strategy && r.load() == load).findFirst().orElseThrow();
    }

    private static String ratio(Result r, List<Result> results, Strategy other) {
        return String.format(Locale.ROOT, "%.2fx", r.p99() / of(results, other, r.load()).p99());
    }

    /** Prints whether {@code holds}; returns false only for a {@code fatal} promise that does not. */
    private static boolean expect(boolean fatal, boolean holds, String variant, Result r, String promise, String measured) {
        System.out.printf(Locale.ROOT, "%s %s, %.0f%%: %s (measured %s)%n", holds ? "OK  " : fatal ? "FAIL" : "MISS", variant,
                r.load() * 100, promise, measured);
        return holds || !fatal;
    }

    private synchronized void stopBackends() {
        for (Process p : backends) {
            p.destroy();
        }
        for (Process p : backends) {
            try {
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        backends.clear();
    }
}
