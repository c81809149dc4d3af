package io.clustermetrics.benchmarks;

import java.time.Instant;
import java.time.InstantSource;

/**
 * The simulated time of one simulation run, which the run moves by hand. Every store of the simulated
 * cluster reads it as its {@link InstantSource}, so simulated time, not the machine's, drives expiry.
 * Not thread-safe: one run, one thread.
 */
final class SimClock implements InstantSource {

    /** Epoch milliseconds at simulated time 0 (2025-11-24T16:00:00Z), so timestamps look real. */
    static final long EPOCH_MILLIS = 1_764_000_000_000L;

    private double seconds;
    private long millis = EPOCH_MILLIS;

    /** Moves the clock to {@code seconds} after simulated time 0. */
    void set(double seconds) {
        this.seconds = seconds;
        this.millis = EPOCH_MILLIS + Math.round(seconds * 1000.0);
    }

    /** Seconds since simulated time 0. */
    double seconds() {
        return seconds;
    }

    @Override
    public long millis() {
        return millis;
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis);
    }
}
