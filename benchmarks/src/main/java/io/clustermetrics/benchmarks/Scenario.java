package io.clustermetrics.benchmarks;

/** The backends' capacities in a routing simulation. */
public enum Scenario {

    /** Capacities 1, 2, 4, 1, 2, 4, …: three sizes of node, the largest four times the smallest. */
    HETEROGENEOUS("capacities 1:2:4") {
        @Override
        double capacity(int backend) {
            return 1 << (backend % 3);
        }

        @Override
        boolean slows(int backend) {
            return false;
        }
    },

    /**
     * Equal capacities, and backend 0 slowing down five times halfway through the measured window (a noisy
     * neighbour, a failing disk, a throttled container).
     */
    SLOWDOWN("equal capacities, one backend 5x slower mid-run") {
        @Override
        double capacity(int backend) {
            return 1.0;
        }

        @Override
        boolean slows(int backend) {
            return backend == 0;
        }
    };

    private final String label;

    Scenario(String label) {
        this.label = label;
    }

    /** The name the tables show. */
    public String label() {
        return label;
    }

    /** The capacity of backend {@code backend}, in units of {@link Backend#UNIT_RATE}. */
    abstract double capacity(int backend);

    /** Whether backend {@code backend} slows down mid-run. */
    abstract boolean slows(int backend);

    /** The total capacity of {@code n} backends once any slowdown has happened: what loads refer to. */
    double capacityAfterSlowdown(int n) {
        double total = 0;
        for (int i = 0; i < n; i++) {
            total += slows(i) ? capacity(i) / Backend.SLOWDOWN : capacity(i);
        }
        return total;
    }
}
