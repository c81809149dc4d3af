package io.clustermetrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ClusterMetricsTest {

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final InstantSource clock = () -> Instant.ofEpochMilli(now.get());
    private final ClusterMetrics store = new ClusterMetrics(Duration.ofSeconds(10), 4, clock);

    private static NodeMetrics sample(String address, long timestamp, double cpu) {
        return new NodeMetrics(address, timestamp, cpu, 1, 2);
    }

    @Test
    void olderOrReorderedSampleNeverOverwritesNewer() {
        store.publish(sample("a", 20, 0.2));
        store.publish(sample("a", 10, 0.9));
        store.publish(sample("a", 20, 0.8));
        assertThat(store.get("a")).map(NodeMetrics::cpuLoad).contains(0.2);
        store.publish(sample("a", 21, 0.3));
        assertThat(store.get("a")).map(NodeMetrics::cpuLoad).contains(0.3);
    }

    @Test
    void snapshotIsSortedImmutableAndLive() {
        store.publish(sample("b", 1, 0.1));
        store.publish(sample("a", 1, 0.1));
        List<NodeMetrics> snapshot = store.snapshot();
        assertThat(snapshot).extracting(NodeMetrics::address).containsExactly("a", "b");
        assertThat(snapshot.getClass().getName()).startsWith("java.util.ImmutableCollections");
    }

    @Test
    void nodeExpiresOnReceiversClockRegardlessOfItsOwnTimestamps() {
        store.publish(sample("behind", now.get() - 60_000, 0.1));
        store.publish(sample("ahead", now.get() + 60_000, 0.1));
        now.addAndGet(9_999);
        assertThat(store.nodeCount()).isEqualTo(2);
        assertThat(store.age("behind")).contains(Duration.ofMillis(9_999));
        now.addAndGet(1);
        assertThat(store.snapshot()).isEmpty();
        assertThat(store.get("ahead")).isEmpty();
        assertThat(store.age("ahead")).isEmpty();
        assertThat(store.nodeCount()).isZero();
    }

    @Test
    void expiredNodeDoesNotComeBackThroughAnOlderCopyButRejoinsWithANewerSample() {
        store.publish(sample("a", 100, 0.1));
        now.addAndGet(10_000);
        store.publish(sample("a", 100, 0.1)); // a peer's copy of the last sample
        store.publish(sample("a", 99, 0.1));
        assertThat(store.get("a")).isEmpty();
        store.publish(sample("a", 101, 0.1)); // the node restarted
        assertThat(store.get("a")).map(NodeMetrics::timestamp).contains(101L);
    }

    @Test
    void tombstonesArePurgedAfterTwoMoreTtls() {
        store.publish(sample("a", 100, 0.1));
        now.addAndGet(29_999);
        assertThat(store.evictExpired()).isZero();
        now.addAndGet(1);
        assertThat(store.evictExpired()).isEqualTo(1);
    }

    @Test
    void fullStoreDropsNewAddressesButKeepsLivePeers() {
        IntStream.range(0, 4).forEach(i -> store.publish(sample("peer" + i, 1, 0.1)));
        store.publish(sample("intruder", 1, 0.1));
        assertThat(store.get("intruder")).isEmpty();
        assertThat(store.nodeCount()).isEqualTo(4);
        store.publish(sample("peer0", 2, 0.5));
        assertThat(store.get("peer0")).map(NodeMetrics::cpuLoad).contains(0.5);
    }

    @Test
    void fullStoreMakesRoomByDroppingTheOldestTombstoneExpiredForATtl() {
        store.publish(sample("old", 1, 0.1));
        now.addAndGet(1_000);
        store.publish(sample("less-old", 1, 0.1));
        now.addAndGet(1_000);
        store.publish(sample("live1", 1, 0.1));
        store.publish(sample("live2", 1, 0.1));
        now.addAndGet(9_500); // "old" and "less-old" have expired, but not for a ttl yet
        store.publish(sample("live1", 2, 0.1));
        store.publish(sample("live2", 2, 0.1));
        store.publish(sample("new", 1, 0.1));
        assertThat(store.get("new")).as("a young tombstone keeps its place").isEmpty();
        store.publish(sample("less-old", 2, 0.1));
        assertThat(store.get("less-old")).as("a node that missed a beat comes back").isPresent();

        now.addAndGet(9_000); // "old" expired 10.5 s ago: evictable
        store.publish(sample("live1", 3, 0.1));
        store.publish(sample("new", 1, 0.1));
        assertThat(store.get("new")).isPresent();
        // "old" was dropped to make room: an old copy of it is now accepted as news
        store.publish(sample("old", 1, 0.1));
        assertThat(store.get("old")).as("the store is full again").isEmpty();
        assertThat(store.snapshot()).extracting(NodeMetrics::address).containsExactly("less-old", "live1", "live2", "new");
    }

    @Test
    void removeForgetsANode() {
        store.publish(sample("a", 1, 0.1));
        assertThat(store.remove("a")).isTrue();
        assertThat(store.remove("a")).isFalse();
        assertThat(store.get("a")).isEmpty();
    }

    @Test
    void refusesNonsensicalSettings() {
        assertThatIllegalArgumentException().isThrownBy(() -> new ClusterMetrics(Duration.ZERO, 1));
        assertThatIllegalArgumentException().isThrownBy(() -> new ClusterMetrics(Duration.ofSeconds(1), 0));
    }

    @Test
    void concurrentPublishersKeepTheNewestSampleOfEveryNode() {
        ClusterMetrics m = new ClusterMetrics();
        List<CompletableFuture<Void>> writers = IntStream.range(0, 4)
                .mapToObj(w -> CompletableFuture.runAsync(() -> {
                    for (int t = 0; t < 20_000; t++) {
                        m.publish(sample("node" + (t % 8), t, (t % 100) / 100.0));
                        assertThat(m.snapshot().size()).isLessThanOrEqualTo(8);
                    }
                }))
                .toList();
        writers.forEach(CompletableFuture::join);
        assertThat(m.snapshot()).hasSize(8).allSatisfy(s -> assertThat(s.timestamp()).isGreaterThanOrEqualTo(19_992));
    }
}
