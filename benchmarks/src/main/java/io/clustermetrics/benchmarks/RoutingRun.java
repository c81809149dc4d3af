package io.clustermetrics.benchmarks;

import io.clustermetrics.ClusterMetrics;
import io.clustermetrics.MetricsGossip;
import io.clustermetrics.MetricsGossiper;
import io.clustermetrics.MetricsPdu;
import io.clustermetrics.MetricsProbe;
import io.clustermetrics.SmoothedProbe;
import io.clustermetrics.StaticProbe;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * One run of the routing simulation: one strategy, one scenario, one cluster size, one load. A
 * discrete-event simulation of {@code backends} FIFO servers and {@code clients} clients, all members of
 * one gossip cluster run by the real core classes at the starter's defaults: every member samples its
 * probe every 3 s through a real {@link SmoothedProbe} (12 s half-life), gossips its whole view to 3
 * random members every 3 s with a real {@link MetricsGossiper}, merges what arrives 2 ms later with
 * {@link MetricsGossip#apply} into its real {@link ClusterMetrics} (15 s ttl, on the simulated clock),
 * and sweeps it when its next node would expire, as the starter does.
 *
 * <p>Requests arrive as one Poisson stream (or on/off bursts, {@link Arrivals}) spread uniformly over the
 * clients; a request's work is exponential (mean 1 unit). A router learns when its requests complete at
 * their completion time ({@link Strategy.Router#sent}), and every second each backend's utilisation and
 * qps become what its responses report, for gRPC's weighted round robin. Everything random is drawn from
 * {@code seed}, and the arrivals and the gossip draw from streams of their own, so every strategy of a
 * scenario sees the same requests and the same gossip schedule. Same setup, same result.
 */
final class RoutingRun {

    static final double SAMPLE_INTERVAL = 3.0;
    static final double GOSSIP_INTERVAL = 3.0;
    static final Duration HALF_LIFE = Duration.ofSeconds(12);
    static final Duration TTL = Duration.ofSeconds(15);
    static final int FANOUT = 3;
    static final double NETWORK_DELAY = 0.002;
    static final double REPORT_INTERVAL = 1.0;

    /**
     * What to simulate.
     *
     * @param scenario the backends' capacities
     * @param backends how many backends
     * @param load the arrival rate as a fraction of the backends' total capacity (after any slowdown)
     * @param strategy how clients pick a backend
     * @param clients how many clients send the requests
     * @param warmup simulated seconds before measuring starts
     * @param measure simulated seconds measured; arrivals stop at {@code warmup + measure}
     * @param seed the seed of every random draw
     */
    record Setup(Scenario scenario, int backends, double load, Strategy strategy, int clients,
            double warmup, double measure, long seed) {}

    /**
     * What a run measured, over requests arriving in the measured window.
     *
     * @param setup what was simulated
     * @param offered the arrival rate, requests per second
     * @param arrivals requests that arrived over the whole run
     * @param served requests a backend accepted (every request is queued: FIFO, no limit)
     * @param p50 the median latency (queueing and service), seconds
     * @param p99 the 99th percentile latency, seconds
     * @param p999 the 99.9th percentile latency, seconds
     * @param throughput requests completed within the measured window, per second
     * @param maxUtilisation the busiest backend's busy fraction of the measured window
     * @param maxShare the largest share of one gossip interval's requests that one backend got
     * @param maxShareOverFair the largest ratio, over backends and intervals, of a backend's share of an
     *     interval's requests to its share of the capacity
     */
    record Result(Setup setup, double offered, long arrivals, long served, double p50, double p99, double p999,
            double throughput, double maxUtilisation, double maxShare, double maxShareOverFair) {}

    private final Setup setup;
    private final SimClock clock = new SimClock();
    private final PriorityQueue<Event> events = new PriorityQueue<>();
    private final Map<String, Member> members = new HashMap<>();
    private final Backend[] backends;
    private final Client[] clients;
    private final Strategy.Router[] routers;
    private final Strategy.Reports reports;
    private final double[] reportedBusy;
    private final long[] reportedCompleted;
    private final double start;
    private final double end;
    private long sequence;

    private record Event(double time, long sequence, Runnable action) implements Comparable<Event> {
        @Override
        public int compareTo(Event o) {
            int c = Double.compare(time, o.time);
            return c != 0 ? c : Long.compare(sequence, o.sequence);
        }
    }

    private record Member(ClusterMetrics store, MetricsGossiper gossiper, Client client) {}

    RoutingRun(Setup setup) {
        this.setup = setup;
        this.start = setup.warmup();
        this.end = setup.warmup() + setup.measure();
        int n = setup.backends();
        double slowdownAt = setup.warmup() + setup.measure() / 2;
        backends = new Backend[n];
        for (int i = 0; i < n; i++) {
            backends[i] = new Backend(setup.scenario().capacity(i),
                    setup.scenario().slows(i) ? slowdownAt : Double.POSITIVE_INFINITY, setup.scenario().pauses(i));
        }
        clients = new Client[setup.clients()];
        routers = new Strategy.Router[setup.clients()];
        reports = new Strategy.Reports(n);
        reportedBusy = new double[n];
        reportedCompleted = new long[n];
    }

    /** Runs the simulation to the end of the measured window. */
    Result run() {
        SplittableRandom seeds = new SplittableRandom(setup.seed());
        SplittableRandom arrivals = seeds.split();
        SplittableRandom gossip = seeds.split();
        SplittableRandom routing = seeds.split();
        int n = backends.length;
        List<String> backendAddresses = IntStream.range(0, n).mapToObj(i -> "http://10.0.0." + i + ":8080").toList();
        List<String> clientAddresses =
                IntStream.range(0, clients.length).mapToObj(i -> "http://10.0.1." + i + ":8080").toList();
        List<String> everyone = new ArrayList<>(backendAddresses);
        everyone.addAll(clientAddresses);
        List<String> listed = List.copyOf(everyone);
        Strategy.Candidates candidates = Strategy.Candidates.of(backendAddresses);
        Strategy.World world = new Strategy.World(clock, backends, reports);
        for (int i = 0; i < listed.size(); i++) {
            String address = listed.get(i);
            ClusterMetrics store = new ClusterMetrics(TTL, 1000, clock);
            Client client = i < n ? null : new Client(store, routing.split(), n);
            MetricsProbe probe = i < n
                    ? new BackendProbe(backends[i], clock)
                    : new StaticProbe(0.2, BackendProbe.MEMORY_BASE, BackendProbe.MEMORY_MAX);
            MetricsGossiper gossiper = new MetricsGossiper(store, new SmoothedProbe(probe, HALF_LIFE, Duration.ofSeconds(3)),
                    address, () -> listed, (target, pdu) -> at(clock.seconds() + NETWORK_DELAY, () -> deliver(target, pdu)),
                    FANOUT, gossip.split());
            Member member = new Member(store, gossiper, client);
            members.put(address, member);
            double phase = gossip.nextDouble() * SAMPLE_INTERVAL;
            at(phase, () -> sample(member));
            at(phase + GOSSIP_INTERVAL / 2, () -> gossip(member));
            at(phase, () -> sweep(member));
            if (client != null) {
                clients[i - n] = client;
                routers[i - n] = setup.strategy().router(client, candidates, world);
            }
        }
        at(REPORT_INTERVAL, this::report);
        return simulate(arrivals, candidates);
    }

    /** Each backend's utilisation and qps over the last second, what its responses report from now on. */
    private void report() {
        double now = clock.seconds();
        for (int i = 0; i < backends.length; i++) {
            double busy = backends[i].busyUntil(now);
            long completed = backends[i].completedUntil(now);
            reports.utilisation[i] = Math.min(1.0, (busy - reportedBusy[i]) / REPORT_INTERVAL);
            reports.qps[i] = (completed - reportedCompleted[i]) / REPORT_INTERVAL;
            reportedBusy[i] = busy;
            reportedCompleted[i] = completed;
        }
        at(now + REPORT_INTERVAL, this::report);
    }

    private Result simulate(SplittableRandom arrivals, Strategy.Candidates candidates) {
        int n = backends.length;
        double rate = setup.load() * setup.scenario().capacityAfterSlowdown(n) * Backend.UNIT_RATE;
        double[] busyAtStart = new double[n];
        double[] busyAtEnd = new double[n];
        at(start, () -> {
            for (int i = 0; i < n; i++) {
                busyAtStart[i] = backends[i].busyUntil(start);
            }
        });
        LatencyHistogram latencies = new LatencyHistogram();
        Herd herd = new Herd(n);
        boolean tracksInFlight = setup.strategy().usesInFlight();
        long arrived = 0;
        long completed = 0;
        Arrivals stream = new Arrivals(arrivals, rate, setup.scenario().bursty());
        double next = stream.next(0.0);
        while (next < end) {
            if (!events.isEmpty() && events.peek().time() < next) {
                Event e = events.poll();
                clock.set(e.time());
                e.action().run();
                continue;
            }
            double t = next;
            clock.set(t);
            int c = arrivals.nextInt(clients.length);
            double work = exponential(arrivals);
            next = stream.next(t);
            int b = routers[c].pick(t);
            double done = backends[b].admit(t, work);
            if (tracksInFlight) {
                clients[c].sent(b, done);
            }
            Runnable response = routers[c].sent(b, t, done);
            if (response != null) {
                at(done, response);
            }
            arrived++;
            if (t >= start) {
                latencies.add(done - t);
                herd.count(t, b);
            }
            if (done >= start && done < end) {
                completed++;
            }
        }
        herd.close();
        double maxUtilisation = 0;
        for (int i = 0; i < n; i++) {
            busyAtEnd[i] = backends[i].busyUntil(end);
            maxUtilisation = Math.max(maxUtilisation, (busyAtEnd[i] - busyAtStart[i]) / setup.measure());
        }
        return new Result(setup, rate, arrived, arrived, latencies.quantile(0.5), latencies.quantile(0.99),
                latencies.quantile(0.999), completed / setup.measure(), maxUtilisation, herd.maxShare, herd.maxShareOverFair);
    }

    /**
     * Arrival times: a Poisson stream at {@code rate}, or, when bursty, on/off phases of exponential length
     * ({@link Scenario#BURST} mean), Poisson at twice the rate while on and nothing while off. Its draws
     * come from its own stream, so every strategy sees the same arrivals.
     */
    private static final class Arrivals {
        private final SplittableRandom random;
        private final double rate;
        private final boolean bursty;
        private double phaseEnd;

        Arrivals(SplittableRandom random, double rate, boolean bursty) {
            this.random = random;
            this.rate = rate;
            this.bursty = bursty;
            this.phaseEnd = bursty ? exponential(random) * Scenario.BURST : Double.POSITIVE_INFINITY;
        }

        /** The arrival after one at {@code t}; {@code phaseEnd} is when the current on phase ends. */
        double next(double t) {
            if (!bursty) {
                return t + exponential(random) / rate;
            }
            while (true) {
                double candidate = t + exponential(random) / (2 * rate);
                if (candidate < phaseEnd) {
                    return candidate;
                }
                // Memoryless: the draw past the phase's end is dropped; an off phase, then the next on phase.
                t = phaseEnd + exponential(random) * Scenario.BURST;
                phaseEnd = t + exponential(random) * Scenario.BURST;
            }
        }
    }

    /**
     * Per gossip interval of the measured window, how the requests spread over the backends; intervals with
     * fewer than 20 requests a backend are not counted.
     */
    private final class Herd {
        private final long[] counts;
        private int window = -1;
        private double maxShare;
        private double maxShareOverFair;

        Herd(int n) {
            counts = new long[n];
        }

        void count(double t, int backend) {
            int w = (int) ((t - start) / GOSSIP_INTERVAL);
            if (w != window) {
                close();
                window = w;
            }
            counts[backend]++;
        }

        void close() {
            long total = 0;
            for (long c : counts) {
                total += c;
            }
            // An interval with fewer than 20 requests a backend (an off phase of bursty arrivals, the run's
            // last partial interval) measures noise, not herding.
            if (total >= 20L * counts.length) {
                double windowStart = start + window * GOSSIP_INTERVAL;
                double capacity = 0;
                for (Backend b : backends) {
                    capacity += b.capacityAt(windowStart);
                }
                for (int i = 0; i < counts.length; i++) {
                    double share = (double) counts[i] / total;
                    maxShare = Math.max(maxShare, share);
                    maxShareOverFair = Math.max(maxShareOverFair, share / (backends[i].capacityAt(windowStart) / capacity));
                }
            }
            Arrays.fill(counts, 0);
        }
    }

    private void sample(Member m) {
        m.gossiper().sampleLocal(clock.millis());
        touched(m);
        at(clock.seconds() + SAMPLE_INTERVAL, () -> sample(m));
    }

    private void gossip(Member m) {
        m.gossiper().gossipRound();
        at(clock.seconds() + GOSSIP_INTERVAL, () -> gossip(m));
    }

    /** As the starter: sweep, then come back when the next node would expire, or a ttl from now. */
    private void sweep(Member m) {
        m.store().evictExpired();
        touched(m);
        long nextMillis = m.store().nextExpiry().map(Instant::toEpochMilli).orElse(clock.millis() + TTL.toMillis());
        double next = (nextMillis - SimClock.EPOCH_MILLIS) / 1000.0;
        at(Math.max(next, clock.seconds() + 0.001), () -> sweep(m));
    }

    private void deliver(String target, MetricsPdu pdu) {
        Member m = members.get(target);
        MetricsGossip.apply(m.store(), pdu);
        touched(m);
    }

    private static void touched(Member m) {
        if (m.client() != null) {
            m.client().viewChanged();
        }
    }

    private void at(double time, Runnable action) {
        events.add(new Event(time, sequence++, action));
    }

    private static double exponential(SplittableRandom random) {
        return -Math.log(1.0 - random.nextDouble());
    }
}
