package io.clustermetrics.benchmarks;

import io.clustermetrics.ClusterMetrics;
import java.util.SplittableRandom;

/**
 * One client of the simulated cluster: a gossip member whose real {@link ClusterMetrics} store is its
 * view of the backends, with its own random draws and, for the strategies that use them, the requests
 * it has in flight to each backend (it knows nothing of other clients' requests). Not thread-safe.
 */
final class Client {

    final ClusterMetrics view;
    final SplittableRandom random;
    private final DoubleQueue[] inFlight;
    private int viewChanges;

    Client(ClusterMetrics view, SplittableRandom random, int backends) {
        this.view = view;
        this.random = random;
        this.inFlight = new DoubleQueue[backends];
        for (int i = 0; i < backends; i++) {
            inFlight[i] = new DoubleQueue();
        }
    }

    /** How many of this client's requests to {@code backend} are not complete at {@code now}. */
    int inFlight(int backend, double now) {
        return inFlight[backend].dropUpTo(now);
    }

    /** Records a request sent to {@code backend} that completes at {@code done}. */
    void sent(int backend, double done) {
        inFlight[backend].add(done);
    }

    /** Called whenever the simulation has touched the view: a merge, a local sample or a sweep. */
    void viewChanged() {
        viewChanges++;
    }

    /** A counter that moves whenever the view may have changed, for strategies that cache what they read. */
    int viewChanges() {
        return viewChanges;
    }
}
