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
}
