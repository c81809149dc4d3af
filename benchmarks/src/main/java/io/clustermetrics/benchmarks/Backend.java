package io.clustermetrics.benchmarks;

/**
 * A simulated backend: one FIFO server working through requests at {@code capacity ×}
 * {@link #UNIT_RATE} work units per second, slowing down by {@link #SLOWDOWN} at {@code slowdownAt}
 * (never, if infinite). A request's completion is fixed when it is admitted (FIFO, work-conserving), so
 * the simulation needs no completion events; the backend keeps the service intervals not yet over, from
 * which it answers how busy it has been and how many requests it holds. Not thread-safe.
 */
final class Backend {

    /** Work units per second of a capacity-1 backend: a request of mean work 1 takes 10 ms on it. */
    static final double UNIT_RATE = 100.0;

    /** By how much a slowing backend's speed drops. */
    static final double SLOWDOWN = 5.0;

    private final double capacity;
    private final double slowdownAt;
    private final DoubleQueue starts = new DoubleQueue();
    private final DoubleQueue ends = new DoubleQueue();
    private double freeAt;
    private double finishedBusy;

    /**
     * @param capacity the speed in capacity units
     * @param slowdownAt when the speed drops by {@link #SLOWDOWN}, in simulated seconds; infinite for never
     */
    Backend(double capacity, double slowdownAt) {
        this.capacity = capacity;
        this.slowdownAt = slowdownAt;
    }

    /** The capacity in units at time {@code t}: lower after the slowdown. */
    double capacityAt(double t) {
        return t >= slowdownAt ? capacity / SLOWDOWN : capacity;
    }

    /** The capacity in units before any slowdown, the size of the node ({@code processors}). */
    double nominalCapacity() {
        return capacity;
    }

    /** Queues a request of {@code work} units arriving at {@code arrival}; returns when it completes. */
    double admit(double arrival, double work) {
        double start = Math.max(arrival, freeAt);
        double end = finish(start, work);
        starts.add(start);
        ends.add(end);
        freeAt = end;
        return end;
    }

    /** Busy seconds in [0, t]. Calls to this and {@link #inSystem} must come in time order. */
    double busyUntil(double t) {
        advance(t);
        return finishedBusy + (!starts.isEmpty() && starts.peek() < t ? t - starts.peek() : 0.0);
    }

    /** How many requests are queued or in service at {@code t}. */
    int inSystem(double t) {
        advance(t);
        return ends.size();
    }

    private void advance(double t) {
        while (!ends.isEmpty() && ends.peek() <= t) {
            finishedBusy += ends.poll() - starts.poll();
        }
    }

    private double finish(double start, double work) {
        double fast = capacity * UNIT_RATE;
        double slow = fast / SLOWDOWN;
        if (start >= slowdownAt) {
            return start + work / slow;
        }
        double end = start + work / fast;
        return end <= slowdownAt ? end : slowdownAt + (work - (slowdownAt - start) * fast) / slow;
    }
}
