package io.clustermetrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NodeAliasesTest {

    @Test
    void oneSpellingPerUri() {
        assertThat(NodeAddress.canonical("http://10.0.0.1:8080")).isEqualTo("http://10.0.0.1:8080");
        assertThat(NodeAddress.canonical("http://10.0.0.1:8080/")).isEqualTo("http://10.0.0.1:8080");
        assertThat(NodeAddress.canonical("HTTP://Node-A.Example:8080")).isEqualTo("http://node-a.example:8080");
        assertThat(NodeAddress.canonical("http://10.0.0.1")).isEqualTo("http://10.0.0.1:80");
        assertThat(NodeAddress.canonical("http://10.0.0.1:80/")).isEqualTo("http://10.0.0.1:80");
        assertThat(NodeAddress.canonical("https://10.0.0.1")).isEqualTo("https://10.0.0.1:443");
        assertThat(NodeAddress.canonical("http://[::1]:8080/")).isEqualTo("http://[::1]:8080");
        assertThat(NodeAddress.canonical("a")).as("not a URI with a host: as it is").isEqualTo("a");
        assertThat(NodeAddress.canonical("ftp://10.0.0.1:21")).isEqualTo("ftp://10.0.0.1:21");
    }

    @Test
    void whatANodeCallsItselfWins() {
        NodeAliases aliases = new NodeAliases();
        assertThat(aliases.resolve("http://localhost:8081/")).isEqualTo("http://localhost:8081");
        long before = aliases.version();
        aliases.learn("http://localhost:8081/", "http://127.0.0.1:8081");
        assertThat(aliases.version()).isGreaterThan(before);
        assertThat(aliases.resolve("http://LOCALHOST:8081")).isEqualTo("http://127.0.0.1:8081");
        long learned = aliases.version();
        aliases.learn("http://localhost:8081", "http://127.0.0.1:8081/");
        assertThat(aliases.version()).as("nothing new").isEqualTo(learned);
        aliases.learn("http://localhost:8081", "http://localhost:8081");
        assertThat(aliases.resolve("http://localhost:8081")).as("it calls itself as it is known again").isEqualTo("http://localhost:8081");
    }

    @Test
    void anInstanceCannotBeAliasedToAListedInstanceNorToANodeAnotherClaims() {
        java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong(1_000);
        NodeAliases aliases = new NodeAliases(() -> java.time.Instant.ofEpochMilli(now.get()), java.time.Duration.ofSeconds(60));
        aliases.listed("orders", java.util.List.of("http://fake:8080", "http://127.0.0.1:8082"));
        assertThat(aliases.learn("http://fake:8080", "http://127.0.0.1:8082")).as("a listed instance answers for itself").isFalse();
        assertThat(aliases.resolve("http://fake:8080")).isEqualTo("http://fake:8080");

        assertThat(aliases.learn("http://b-name:8083", "http://127.0.0.1:8083")).isTrue();
        assertThat(aliases.learn("http://c-name:8084", "http://127.0.0.1:8083")).as("a node another instance claims").isFalse();
        assertThat(aliases.resolve("http://b-name:8083")).as("both claims are left unmatched").isEqualTo("http://b-name:8083");
        assertThat(aliases.learn("http://b-name:8083", "http://127.0.0.1:8083")).as("while contested").isFalse();
        now.addAndGet(60_000);
        aliases.expire();
        assertThat(aliases.learn("http://b-name:8083", "http://127.0.0.1:8083")).as("after a lifetime").isTrue();
    }

    @Test
    void anAliasNotSaidAgainExpires() {
        java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong(1_000);
        NodeAliases aliases = new NodeAliases(() -> java.time.Instant.ofEpochMilli(now.get()), java.time.Duration.ofSeconds(60));
        aliases.learn("http://localhost:8081", "http://127.0.0.1:8081");
        now.addAndGet(59_000);
        aliases.expire();
        assertThat(aliases.resolve("http://localhost:8081")).isEqualTo("http://127.0.0.1:8081");
        aliases.learn("http://localhost:8081", "http://127.0.0.1:8081");
        now.addAndGet(59_000);
        aliases.expire();
        assertThat(aliases.resolve("http://localhost:8081")).as("said again, it lasts").isEqualTo("http://127.0.0.1:8081");
        long before = aliases.version();
        now.addAndGet(1_000);
        aliases.expire();
        assertThat(aliases.resolve("http://localhost:8081")).isEqualTo("http://localhost:8081");
        assertThat(aliases.version()).isGreaterThan(before);
    }
}
