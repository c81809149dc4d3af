package io.clustermetrics.benchmarks;

/**
 * A simulated backend: one FIFO server working through requests at {@code capacity ×}
 * {@link #UNIT_RATE} work units per second, slowing down by {@link #SLOWDOWN} at {@code slowdownAt}
 * (never, if infinite) and, if it pauses, stopping for {@link Scenario#PAUSE} every
 * {@link Scenario#PAUSE_PERIOD} (from 10 s in; a paused request counts as busy time). A request's completion is fixed when it is admitted (FIFO, work-conserving), so
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
    private final boolean pauses;
    private final DoubleQueue starts = new DoubleQueue();
    private final DoubleQueue ends = new DoubleQueue();
    private double freeAt;
    private double finishedBusy;
    private long completed;

    /**
     * @param capacity the speed in capacity units
     * @param slowdownAt when the speed drops by {@link #SLOWDOWN}, in simulated seconds; infinite for never
     * @param pauses whether the backend stops now and then
     */
    Backend(double capacity, double slowdownAt, boolean pauses) {
        this.capacity = capacity;
        this.slowdownAt = slowdownAt;
        this.pauses = pauses;
    }

    Backend(double capacity, double slowdownAt) {
        this(capacity, slowdownAt, false);
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

    /** Requests completed in [0, t]. Calls must come in time order, as for {@link #busyUntil}. */
    long completedUntil(double t) {
        advance(t);
        return completed;
    }

    /** How many requests are queued or in service at {@code t}. */
    int inSystem(double t) {
        advance(t);
        return ends.size();
    }

    private void advance(double t) {
        while (!ends.isEmpty() && ends.peek() <= t) {
            finishedBusy += ends.poll() - starts.poll();
            completed++;
        }
    }

    /** When {@code work} units started at {@code start} are done, through any slowdown and pauses. */
    private double finish(double start, double work) {
        double t = start;
        while (true) {
            double pauseStart = pauses ? nextPauseStart(t) : Double.POSITIVE_INFINITY;
            if (pauseStart <= t) {
                t = pauseStart + Scenario.PAUSE;
                continue;
            }
            double speed = capacityAt(t) * UNIT_RATE;
            double until = Math.min(pauseStart, t < slowdownAt ? slowdownAt : Double.POSITIVE_INFINITY);
            if (work <= (until - t) * speed) {
                return t + work / speed;
            }
            work -= (until - t) * speed;
            t = until;
        }
    }

    /** The start of the pause under way at {@code t}, or else of the next one. */
    private static double nextPauseStart(double t) {
        double first = 10.0;
        if (t < first) {
            return first;
        }
        double k = Math.floor((t - first) / Scenario.PAUSE_PERIOD);
        double current = first + k * Scenario.PAUSE_PERIOD;
        return t < current + Scenario.PAUSE ? current : current + Scenario.PAUSE_PERIOD;
    }
}
