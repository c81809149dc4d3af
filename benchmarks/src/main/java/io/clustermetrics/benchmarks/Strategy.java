package io.clustermetrics.benchmarks;

import io.clustermetrics.CapacityAwareRoutees;
import io.clustermetrics.MetricsSelector;
import io.clustermetrics.WeightedRoutees;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.springframework.cloud.client.DefaultServiceInstance;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.loadbalancer.DefaultRequest;
import org.springframework.cloud.client.loadbalancer.Request;
import org.springframework.cloud.loadbalancer.core.RoundRobinLoadBalancer;
import org.springframework.cloud.loadbalancer.core.ServiceInstanceListSupplier;
import org.springframework.cloud.loadbalancer.support.SimpleObjectProvider;
import reactor.core.publisher.Flux;

/**
 * The routing strategies the simulation compares. Each client gets its own {@link Router} per strategy,
 * reading only that client's view and in-flight counts.
 */
public enum Strategy {

    /** Each client cycles through the backends. */
    ROUND_ROBIN("round robin", false) {
        @Override
        Router router(Client client, Candidates candidates, World world) {
            int n = candidates.size();
            int[] next = {0};
            return now -> {
                int pick = next[0];
                next[0] = pick + 1 == n ? 0 : pick + 1;
                return pick;
            };
        }
    },

    /** A uniform draw. */
    RANDOM("random", false) {
        @Override
        Router router(Client client, Candidates candidates, World world) {
            return now -> client.random.nextInt(candidates.size());
        }
    },

    /** Spring Cloud LoadBalancer's {@link RoundRobinLoadBalancer}, the real class, from a random position. */
    SPRING_CLOUD_ROUND_ROBIN("Spring Cloud LB round robin", false) {
        @Override
        Router router(Client client, Candidates candidates, World world) {
            List<ServiceInstance> instances = IntStream.range(0, candidates.size())
                    .mapToObj(i -> (ServiceInstance) new DefaultServiceInstance(
                            "backend-" + i, "backend", "10.0.0." + i, 8080, false))
                    .toList();
            Map<ServiceInstance, Integer> index = new IdentityHashMap<>();
            for (int i = 0; i < instances.size(); i++) {
                index.put(instances.get(i), i);
            }
            ServiceInstanceListSupplier supplier = new ServiceInstanceListSupplier() {
                @Override
                public String getServiceId() {
                    return "backend";
                }

                @Override
                public Flux<List<ServiceInstance>> get() {
                    return Flux.just(instances);
                }
            };
            // The real default seeds the position with new Random().nextInt(1000); this draw is seeded.
            RoundRobinLoadBalancer balancer =
                    new RoundRobinLoadBalancer(new SimpleObjectProvider<>(supplier), "backend", client.random.nextInt(1000));
            Request<?> request = new DefaultRequest<>();
            return now -> index.get(balancer.choose(request).block().getServer());
        }
    },

    /**
     * The seed crate's least-loaded argmin ({@link SeedAlgorithms#adaptivePick}: lowest CPU load, then
     * address), on the client's view, worked out again whenever the view changes.
     */
    SEED_ARGMIN("seed least-loaded argmin", false) {
        @Override
        Router router(Client client, Candidates candidates, World world) {
            int[] cached = {-1, 0};
            return now -> {
                if (cached[0] != client.viewChanges()) {
                    SeedAlgorithms seed = new SeedAlgorithms();
                    client.view.snapshot().forEach(seed::publish);
                    cached[1] = candidates.indexOf(seed.adaptivePick(candidates.addresses()).orElseThrow());
                    cached[0] = client.viewChanges();
                }
                return cached[1];
            };
        }
    },

    /** {@link WeightedRoutees} with {@link MetricsSelector#CPU}. */
    WEIGHTED_CPU("WeightedRoutees cpu (strategy weighted)", false) {
        @Override
        Router router(Client client, Candidates candidates, World world) {
            return weighted(client, candidates, MetricsSelector.CPU);
        }
    },

    /** {@link WeightedRoutees} with {@link MetricsSelector#HEAP}. */
    WEIGHTED_HEAP("WeightedRoutees heap", false) {
        @Override
        Router router(Client client, Candidates candidates, World world) {
            return weighted(client, candidates, MetricsSelector.HEAP);
        }
    },

    /** {@link WeightedRoutees} with {@link MetricsSelector#MIX}, the starter's default selector before the router of issue 12. */
    WEIGHTED_MIX("WeightedRoutees mix", false) {
        @Override
        Router router(Client client, Candidates candidates, World world) {
            return weighted(client, candidates, MetricsSelector.MIX);
        }
    },

    /** {@link WeightedRoutees} with {@link MetricsSelector#SYSTEM_LOAD_AVERAGE}. */
    WEIGHTED_LOAD_AVERAGE("WeightedRoutees system-load-average", false) {
        @Override
        Router router(Client client, Candidates candidates, World world) {
            return weighted(client, candidates, MetricsSelector.SYSTEM_LOAD_AVERAGE);
        }
    },

    /** Two distinct uniform draws; the one with fewer of this client's requests in flight. */
    POWER_OF_TWO("power of two, in-flight", true) {
        @Override
        Router router(Client client, Candidates candidates, World world) {
            int n = candidates.size();
            return now -> {
                int a = client.random.nextInt(n);
                int b = client.random.nextInt(n - 1);
                b = b >= a ? b + 1 : b;
                return client.inFlight(b, now) < client.inFlight(a, now) ? b : a;
            };
        }
    },

    /**
     * Hybrid: two draws from {@link WeightedRoutees} (cpu), so by gossiped spare capacity; the one with
     * fewer of this client's requests in flight.
     */
    HYBRID_WEIGHTED_POWER_OF_TWO("hybrid: weighted power of two (cpu)", true) {
        @Override
        Router router(Client client, Candidates candidates, World world) {
            WeightedRoutees routees = new WeightedRoutees(client.view, MetricsSelector.CPU);
            List<String> addresses = candidates.addresses();
            return now -> {
                int a = candidates.indexOf(routees.pick(addresses, client.random.nextDouble()).orElseThrow());
                int b = a;
                for (int tries = 0; b == a && tries < 4; tries++) {
                    b = candidates.indexOf(routees.pick(addresses, client.random.nextDouble()).orElseThrow());
                }
                return client.inFlight(b, now) < client.inFlight(a, now) ? b : a;
            };
        }
    },

    /**
     * Hybrid: the backend with the largest {@code weight / (1 + in flight)}, the weight being the
     * gossiped spare CPU ({@link MetricsSelector#CPU}, 0.5 without a live sample) and in flight this
     * client's own count; ties go to the first from a random start.
     */
    HYBRID_WEIGHT_OVER_IN_FLIGHT("hybrid: weight / (1 + in-flight) (cpu)", true) {
        @Override
        Router router(Client client, Candidates candidates, World world) {
            int n = candidates.size();
            double[] weights = new double[n];
            int[] cachedAt = {-1};
            return now -> {
                if (cachedAt[0] != client.viewChanges()) {
                    for (int i = 0; i < n; i++) {
                        weights[i] = client.view.get(candidates.addresses().get(i))
                                .map(MetricsSelector.CPU::weight)
                                .orElse(WeightedRoutees.UNKNOWN_WEIGHT);
                    }
                    cachedAt[0] = client.viewChanges();
                }
                int start = client.random.nextInt(n);
                int best = start;
                double bestScore = -1.0;
                for (int k = 0; k < n; k++) {
                    int i = start + k < n ? start + k : start + k - n;
                    double score = weights[i] / (1 + client.inFlight(i, now));
                    if (score > bestScore) {
                        bestScore = score;
                        best = i;
                    }
                }
                return best;
            };
        }
    },

    /** Finagle's (and Linkerd's) power of two choices with peak EWMA, 10 s decay: {@link FinaglePeakEwma}. */
    FINAGLE_P2C_PEAK_EWMA("Finagle P2C + peak EWMA", false) {
        @Override
        Router router(Client client, Candidates candidates, World world) {
            return new FinaglePeakEwma(client.random, candidates.size());
        }
    },

    /**
     * Envoy's {@code LEAST_REQUEST} ({@link EnvoyLeastRequest}), its endpoints weighted by their size, as an
     * operator would configure them: two choices when the weights are equal, else EDF with active request
     * bias 1.0.
     */
    ENVOY_LEAST_REQUEST("Envoy LEAST_REQUEST", false) {
        @Override
        Router router(Client client, Candidates candidates, World world) {
            double[] weights = new double[candidates.size()];
            for (int i = 0; i < weights.length; i++) {
                weights[i] = world.backends()[i].nominalCapacity();
            }
            return new EnvoyLeastRequest(client.random, weights);
        }
    },

    /** gRPC's weighted round robin fed by per-call ORCA load reports: {@link GrpcWeightedRoundRobin}. */
    GRPC_WRR_ORCA("gRPC WRR + ORCA", false) {
        @Override
        Router router(Client client, Candidates candidates, World world) {
            return new GrpcWeightedRoundRobin(client.random, candidates.size(), world.reports());
        }
    },

    /**
     * The starter's default router, {@link CapacityAwareRoutees}, the real class on the simulated clock:
     * gossiped capacity, this client's in-flight counts and peak-EWMA latency.
     */
    CAPACITY_AWARE("capacity-aware (default)", false) {
        @Override
        Router router(Client client, Candidates candidates, World world) {
            SimClock clock = world.clock();
            CapacityAwareRoutees routees = new CapacityAwareRoutees(client.view, MetricsSelector.CPU,
                    () -> Math.round(clock.seconds() * 1e9), CapacityAwareRoutees.DEFAULT_DECAY);
            List<String> addresses = candidates.addresses();
            return new Router() {
                @Override
                public int pick(double now) {
                    return candidates.indexOf(routees.pick(addresses, client.random).orElseThrow());
                }

                @Override
                public Runnable sent(int backend, double now, double done) {
                    CapacityAwareRoutees.Load load = routees.load(addresses.get(backend));
                    long started = load.start();
                    return () -> load.end(started, false);
                }
            };
        }
    };

    private final String label;
    private final boolean usesInFlight;

    Strategy(String label, boolean usesInFlight) {
        this.label = label;
        this.usesInFlight = usesInFlight;
    }

    /** The name the tables show. */
    public String label() {
        return label;
    }

    /**
     * Whether the strategy reads the client's in-flight counts, which the simulation then keeps; those that
     * count their own through {@link Router#sent} do not.
     */
    boolean usesInFlight() {
        return usesInFlight;
    }

    /** A router for {@code client}, choosing among {@code candidates}. */
    abstract Router router(Client client, Candidates candidates, World world);

    private static Router weighted(Client client, Candidates candidates, MetricsSelector selector) {
        WeightedRoutees routees = new WeightedRoutees(client.view, selector);
        List<String> addresses = candidates.addresses();
        return now -> candidates.indexOf(routees.pick(addresses, client.random.nextDouble()).orElseThrow());
    }

    /** Picks a backend for each request of one client. */
    @FunctionalInterface
    interface Router {

        /** The index of the backend for a request sent at {@code now}. */
        int pick(double now);

        /**
         * Tells the router its pick went to {@code backend} at {@code now} and completes at {@code done};
         * returns what the client runs when the response arrives (at {@code done}), or null for nothing.
         */
        default Runnable sent(int backend, double now, double done) {
            return null;
        }
    }

    /** What routers may read besides their client: the simulated time, and the backends' load reports. */
    record World(SimClock clock, Backend[] backends, Reports reports) {}

    /**
     * Each backend's ORCA-style report, as its server would attach it to every response: utilisation and
     * requests completed per second over the last second.
     */
    static final class Reports {
        final double[] utilisation;
        final double[] qps;

        Reports(int n) {
            utilisation = new double[n];
            qps = new double[n];
        }
    }

    /** The backends' addresses, an immutable list reused for every pick, and their indexes. */
    record Candidates(List<String> addresses, Map<String, Integer> indexes) {

        /** The candidates {@code addresses}, indexed in their order. */
        static Candidates of(List<String> addresses) {
            Map<String, Integer> indexes = new HashMap<>();
            for (int i = 0; i < addresses.size(); i++) {
                indexes.put(addresses.get(i), i);
            }
            return new Candidates(List.copyOf(addresses), Map.copyOf(indexes));
        }

        int size() {
            return addresses.size();
        }

        int indexOf(String address) {
            return indexes.get(address);
        }
    }
}
