package io.clustermetrics;

import java.util.List;
import java.util.Optional;

/**
 * Chooses the node a call goes to among candidate node addresses. Implementations are thread-safe.
 *
 * <p>A pick is a position in the candidate list, not an address: two candidates may be the same node address
 * (two listed instances that resolve to one node), and each keeps its own share.
 */
public interface Router {

    /** The index in {@code candidates} of the one the next call should go to; -1 only for no candidates. */
    int pickIndex(List<String> candidates);

    /** The candidate the next call should go to; empty only for no candidates. */
    default Optional<String> pick(List<String> candidates) {
        int i = pickIndex(candidates);
        return i < 0 ? Optional.empty() : Optional.of(candidates.get(i));
    }
}
