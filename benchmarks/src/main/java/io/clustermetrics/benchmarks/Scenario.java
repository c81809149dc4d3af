package io.clustermetrics.benchmarks;

/** The backends, the arrivals and the clients of a routing simulation. */
public enum Scenario {

    /** Capacities 1, 2, 4, 1, 2, 4, …: three sizes of node, the largest four times the smallest. */
    HETEROGENEOUS("capacities 1:2:4"),

    /** 1:2:4, and backend 2 (a 4-unit node) slowing down five times halfway through the measured window. */
    HETEROGENEOUS_SLOWDOWN("capacities 1:2:4, a 4-unit backend 5x slower mid-run"),

    /** 1:2:4 and arrivals on and off: bursts at twice the mean rate, each phase 1 s long on average. */
    BURSTY("capacities 1:2:4, on/off arrivals"),

    /** 1:2:4 and 100 clients, each seeing a tenth of the traffic it sees with 10. */
    MANY_CLIENTS("capacities 1:2:4, 100 clients"),

    /**
     * Equal capacities, and backend 0 slowing down five times halfway through the measured window (a noisy
     * neighbour, a failing disk, a throttled container).
     */
    SLOWDOWN("equal capacities, one backend 5x slower mid-run"),

    /** Equal capacities, and backend 0 stopping for 2 s every 30 s, as in a stop-the-world GC pause. */
    GC_PAUSE("equal capacities, one backend pausing 2 s every 30 s");

    /** How long a pause lasts, and how often one starts, in seconds. */
    static final double PAUSE = 2.0;
    static final double PAUSE_PERIOD = 30.0;

    /** The mean length of an on or an off phase of bursty arrivals, in seconds. */
    static final double BURST = 1.0;

    private final String label;

    Scenario(String label) {
        this.label = label;
    }

    /** The name the tables show. */
    public String label() {
        return label;
    }

    /** The capacity of backend {@code backend}, in units of {@link Backend#UNIT_RATE}. */
    double capacity(int backend) {
        return this == SLOWDOWN || this == GC_PAUSE ? 1.0 : 1 << (backend % 3);
    }

    /** Whether backend {@code backend} slows down mid-run. */
    boolean slows(int backend) {
        return this == SLOWDOWN && backend == 0 || this == HETEROGENEOUS_SLOWDOWN && backend == 2;
    }

    /** Whether backend {@code backend} pauses now and then. */
    boolean pauses(int backend) {
        return this == GC_PAUSE && backend == 0;
    }

    /** Whether requests arrive in on/off bursts rather than as one Poisson stream. */
    boolean bursty() {
        return this == BURSTY;
    }

    /** How many clients send the requests, given the simulation's default. */
    int clients(int otherwise) {
        return this == MANY_CLIENTS ? 100 : otherwise;
    }

    /** The total capacity of {@code n} backends once any slowdown has happened: what loads refer to. */
    double capacityAfterSlowdown(int n) {
        double total = 0;
        for (int i = 0; i < n; i++) {
            total += slows(i) ? capacity(i) / Backend.SLOWDOWN : capacity(i);
        }
        return total;
    }
}
