package io.clustermetrics;

/**
 * Turns a sample into a routing weight within [0, 1]: the larger, the more spare capacity the node has.
 * Every weight is finite and within [0, 1] for any sample {@link NodeMetrics} accepts.
 */
public enum MetricsSelector {

    /** Spare CPU: {@code 1 - cpuLoad}. */
    CPU {
        @Override
        public double weight(NodeMetrics m) {
            return clamp(1.0 - m.cpuLoad());
        }
    },

    /** Spare memory: {@code 1 - memoryUsed / memoryMax}, 1 when the limit is unknown. */
    HEAP {
        @Override
        public double weight(NodeMetrics m) {
            return clamp(1.0 - m.memoryUsage());
        }
    },

    /** The mean of {@link #CPU} and {@link #HEAP}. */
    MIX {
        @Override
        public double weight(NodeMetrics m) {
            return 0.5 * (CPU.weight(m) + HEAP.weight(m));
        }
    },

    /**
     * Spare run queue, as Akka's selector: {@code 1 - min(loadAverage / processors, 1)}. A sample without
     * a load average (Windows) falls back to {@link #CPU}.
     */
    SYSTEM_LOAD_AVERAGE {
        @Override
        public double weight(NodeMetrics m) {
            return m.hasLoadAverage() ? clamp(1.0 - m.systemLoadAverage() / m.processors()) : CPU.weight(m);
        }
    },

    /**
     * Spare application capacity, as the app reports it ({@link NodeMetrics#utilization()}):
     * {@code 1 - utilization}. A sample without one falls back to {@link #CPU}.
     */
    UTILIZATION {
        @Override
        public double weight(NodeMetrics m) {
            return m.utilization() != null ? clamp(1.0 - m.utilization()) : CPU.weight(m);
        }
    },

    /**
     * The scarcer of CPU and application capacity: {@code 1 - max(cpuLoad, utilization)}, for a node that may
     * run out of either. A sample without a utilization weighs as {@link #CPU}, so this is the default: it is
     * {@code cpu} until the app reports a utilization.
     */
    CPU_AND_UTILIZATION {
        @Override
        public double weight(NodeMetrics m) {
            return Math.min(CPU.weight(m), UTILIZATION.weight(m));
        }
    };

    /** The routing weight of {@code m}, within [0, 1]; larger means more preferable. */
    public abstract double weight(NodeMetrics m);

    private static double clamp(double w) {
        return Math.max(0.0, Math.min(1.0, w));
    }
}
