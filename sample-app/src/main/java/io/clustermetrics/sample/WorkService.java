package io.clustermetrics.sample;

import io.clustermetrics.AdaptiveLoadBalancer;
import io.clustermetrics.ClusterMetrics;
import io.clustermetrics.NodeMetrics;
import io.clustermetrics.WeightedRoutees;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.stream.Stream;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.cloud.client.loadbalancer.LoadBalanced;
import org.springframework.http.HttpStatus;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.stereotype.Service;
import org.springframework.web.client.RestClient;
import org.springframework.web.server.ResponseStatusException;

/**
 * The demo's logic: sends each piece of work to a node {@link WeightedRoutees} picks by spare capacity,
 * counts where work went, and burns CPU on request so that a person can watch the routing react.
 */
@Service
public class WorkService {

    /** How many one-second buckets of dispatch counts are kept: the chart's minute. */
    public static final int WINDOW_SECONDS = 60;

    private final ClusterMetrics metrics;
    private final WeightedRoutees routees;
    private final AdaptiveLoadBalancer leastLoaded;
    private final String self;
    private final RestClient http;
    private final RestClient balanced;
    private final String gateway;
    private final ExecutorService pool;
    private final Map<String, Counter> dispatched = new ConcurrentHashMap<>();
    private volatile List<String> nodes = List.of();
    private long stressUntil;
    private int burners;
    private volatile int sink; // keeps the JIT from skipping the work

    /**
     * Wires the starter's store and routers and the {@code @LoadBalanced} client builder; {@code self} is this
     * node's {@code cluster.metrics.node-address}, {@code gateway} the base URL of the sample's Spring Cloud
     * Gateway ({@code sample.gateway-url}), {@code pool} the work pool.
     */
    public WorkService(ClusterMetrics metrics, WeightedRoutees routees, AdaptiveLoadBalancer leastLoaded,
            @Value("${cluster.metrics.node-address}") String self, @LoadBalanced RestClient.Builder balanced,
            @Value("${sample.gateway-url}") String gateway, ExecutorService pool) {
        this.pool = pool;
        this.metrics = metrics;
        this.routees = routees;
        this.leastLoaded = leastLoaded;
        this.self = self;
        this.gateway = gateway.replaceFirst("/+$", "");
        JdkClientHttpRequestFactory requests = new JdkClientHttpRequestFactory(HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(1))
                .build());
        requests.setReadTimeout(Duration.ofSeconds(10));
        this.http = RestClient.builder().requestFactory(requests).build();
        this.balanced = balanced.clone().requestFactory(requests).build();
    }

    /**
     * The live nodes of this node's view, and this node, sorted. The same list instance is returned while
     * the membership stays the same, which lets the routers recognise it in O(1).
     */
    private List<String> nodes() {
        List<String> current = Stream.concat(Stream.of(self), metrics.snapshot().stream().map(NodeMetrics::address))
                .distinct().sorted().toList();
        List<String> previous = nodes;
        if (previous.equals(current)) {
            return previous;
        }
        nodes = List.copyOf(current);
        return nodes;
    }

    /** Picks a node weighted by spare capacity, has it do the work over HTTP, and counts the pick. */
    public WorkResult dispatch() {
        String target = routees.pick(nodes()).orElse(self);
        return counted(http.get().uri(target + "/work/local").retrieve().body(WorkResult.class));
    }

    /**
     * Has the node Spring Cloud LoadBalancer picks (by the same weights, {@code ClusterMetricsLoadBalancer})
     * among the {@value PeerInstances#SERVICE} instances do the work, and counts the pick.
     */
    public WorkResult dispatchThroughLoadBalancer() {
        try {
            return counted(balanced.get().uri("http://" + PeerInstances.SERVICE + "/work/local").retrieve().body(WorkResult.class));
        } catch (IllegalStateException noInstance) { // Spring Cloud LoadBalancer's "No instances available for ..."
            throw new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE, noInstance.getMessage());
        }
    }

    /**
     * Has the node the sample's Spring Cloud Gateway picks do the work ({@code <gateway>/work/local}, which the
     * gateway routes to {@code lb://sample-app}, weighted by the nodes' load it pulls), and counts the pick. The
     * node calls the gateway with its plain client: the choice is the gateway's alone.
     */
    public WorkResult dispatchThroughGateway() {
        return counted(http.get().uri(gateway + "/work/local").retrieve().body(WorkResult.class));
    }

    private WorkResult counted(WorkResult result) {
        dispatched.computeIfAbsent(result.servedBy(), t -> new Counter()).increment(System.currentTimeMillis() / 1000);
        return new WorkResult(result.servedBy(), self, result.cpuMillis());
    }

    /**
     * Does one piece of real CPU work here, on the work pool: counts the primes below 30,000 by trial division.
     * The pool's busy share is the utilization this node reports.
     */
    public WorkResult work() {
        try {
            return pool.submit(() -> {
                long start = System.nanoTime();
                sink = burn();
                return new WorkResult(self, null, (System.nanoTime() - start) / 1e6);
            }).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE, "interrupted");
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * How this node's dispatches spread over the last {@value #WINDOW_SECONDS} whole seconds, per target
     * that got any, and the node {@link AdaptiveLoadBalancer} finds least loaded now.
     */
    public Stats stats() {
        long end = System.currentTimeMillis() / 1000 - 1;
        Map<String, long[]> counts = new TreeMap<>();
        dispatched.forEach((node, counter) -> {
            long[] last = counter.lastSeconds(end);
            if (Arrays.stream(last).anyMatch(c -> c > 0)) {
                counts.put(node, last);
            }
        });
        return new Stats(self, leastLoaded.pick(nodes()).orElse(null), end, counts);
    }

    /**
     * Burns CPU on {@code node} (this one when null) for {@code seconds}, through that node's
     * {@code /stress/local}; only nodes of the live view are accepted.
     */
    public StressResult stress(String node, int seconds) {
        if (node == null || node.isBlank() || node.equals(self)) {
            return stressHere(seconds);
        }
        if (!nodes().contains(node)) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND, "No live node " + node + " in this node's view");
        }
        return http.post().uri(node + "/stress/local?seconds={s}", seconds).retrieve().body(StressResult.class);
    }

    /**
     * Keeps every processor of this node busy for the next {@code seconds} (1 to 120), with two threads per
     * processor so that the node takes most of a machine it shares with the other nodes of the demo; a stress
     * already running is extended.
     */
    public synchronized StressResult stressHere(int seconds) {
        if (seconds < 1 || seconds > 120) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "seconds must be within 1 to 120, was " + seconds);
        }
        stressUntil = Math.max(stressUntil, System.currentTimeMillis() + seconds * 1000L);
        while (burners < 2 * Runtime.getRuntime().availableProcessors()) {
            Thread t = new Thread(this::burnUntilDone, "stress-" + burners);
            t.setDaemon(true);
            t.start();
            burners++;
        }
        return new StressResult(self, stressUntil);
    }

    private void burnUntilDone() {
        while (true) {
            synchronized (this) {
                if (System.currentTimeMillis() >= stressUntil) {
                    burners--;
                    return;
                }
            }
            sink = burn();
        }
    }

    private static int burn() {
        int primes = 0;
        for (int n = 2; n < 30_000; n++) {
            boolean prime = true;
            for (int d = 2; d * d <= n && prime; d++) {
                prime = n % d != 0;
            }
            primes += prime ? 1 : 0;
        }
        return primes;
    }

    /**
     * One piece of work's answer.
     *
     * @param servedBy the node that did the work
     * @param dispatchedBy the node that chose it; null when asked directly
     * @param cpuMillis how long the work took there
     */
    public record WorkResult(String servedBy, String dispatchedBy, double cpuMillis) {}

    /**
     * Where this node's work went.
     *
     * @param self this node
     * @param leastLoaded the node with the most spare capacity, by {@link AdaptiveLoadBalancer}
     * @param end the epoch second of each list's last entry
     * @param counts per target, work dispatched in each of the {@value #WINDOW_SECONDS} seconds up to {@code end}
     */
    public record Stats(String self, String leastLoaded, long end, Map<String, long[]> counts) {}

    /**
     * A stress under way.
     *
     * @param node the node that burns CPU
     * @param untilMillis when it stops, epoch milliseconds on that node's clock
     */
    public record StressResult(String node, long untilMillis) {}

    /** Counts per second in a ring of {@value #WINDOW_SECONDS} buckets. */
    private static final class Counter {

        private final long[] seconds = new long[WINDOW_SECONDS];
        private final long[] counts = new long[WINDOW_SECONDS];

        synchronized void increment(long second) {
            int i = (int) (second % WINDOW_SECONDS);
            if (seconds[i] != second) {
                seconds[i] = second;
                counts[i] = 0;
            }
            counts[i]++;
        }

        /** The counts of the {@value #WINDOW_SECONDS} seconds up to {@code end}, oldest first. */
        synchronized long[] lastSeconds(long end) {
            long[] out = new long[WINDOW_SECONDS];
            for (int k = 0; k < WINDOW_SECONDS; k++) {
                long second = end - WINDOW_SECONDS + 1 + k;
                int i = (int) (second % WINDOW_SECONDS);
                out[k] = seconds[i] == second ? counts[i] : 0;
            }
            return out;
        }
    }
}
