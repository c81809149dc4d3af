package io.clustermetrics;

import java.util.List;
import java.util.Objects;

/** A gossip message between nodes: samples to merge into the receiver's {@link ClusterMetrics}. */
public sealed interface MetricsPdu {

    /** The samples this message carries. */
    List<NodeMetrics> samples();

    /**
     * The sender's latest sample.
     *
     * @param metrics the sample
     */
    record Push(NodeMetrics metrics) implements MetricsPdu {

        /** Refuses a missing sample. */
        public Push {
            if (metrics == null) {
                throw new IllegalArgumentException("metrics must not be null");
            }
        }

        @Override
        public List<NodeMetrics> samples() {
            return List.of(metrics);
        }
    }

    /**
     * A batch of samples, the sender's view of the cluster, so that state spreads epidemically.
     *
     * @param metrics the samples; an immutable copy is kept
     */
    record PushBatch(List<NodeMetrics> metrics) implements MetricsPdu {

        /** Refuses a missing list or a missing sample in it. */
        public PushBatch {
            metrics = copyOfSamples(metrics);
        }

        @Override
        public List<NodeMetrics> samples() {
            return metrics;
        }
    }

    /**
     * A node's answer to an observer's pull: who it is, its service, and its live view of that service.
     *
     * @param self the answering node's address, as it calls itself
     * @param service the service it is an instance of; null when it names none
     * @param metrics the live samples of its service's nodes (itself included); an immutable copy is kept
     */
    record View(String self, String service, List<NodeMetrics> metrics) implements MetricsPdu {

        /** Refuses a missing address, list or sample. */
        public View {
            if (self == null || self.isBlank()) {
                throw new IllegalArgumentException("self must name the answering node");
            }
            metrics = copyOfSamples(metrics);
        }

        @Override
        public List<NodeMetrics> samples() {
            return metrics;
        }
    }

    /** An immutable copy of {@code metrics}, refusing a missing list or a missing sample in it. */
    private static List<NodeMetrics> copyOfSamples(List<NodeMetrics> metrics) {
        if (metrics == null || metrics.stream().anyMatch(Objects::isNull)) {
            throw new IllegalArgumentException("metrics must be a list of samples");
        }
        return List.copyOf(metrics);
    }
}
