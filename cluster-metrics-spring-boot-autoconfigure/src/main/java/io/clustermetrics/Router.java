package io.clustermetrics;

import java.util.List;
import java.util.Optional;

/** Chooses the node a call goes to among candidate node addresses. Implementations are thread-safe. */
public interface Router {

    /** The candidate the next call should go to; empty only for no candidates. */
    Optional<String> pick(List<String> candidates);
}
