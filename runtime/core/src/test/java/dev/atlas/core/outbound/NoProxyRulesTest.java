package dev.atlas.core.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class NoProxyRulesTest {
    private static List<String> entries(String text) {
        return Arrays.stream(text.split(" ")).filter(s -> !s.isBlank()).toList();
    }

    @ParameterizedTest(name = "{0} / {1} -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
        .acme.internal              | git.acme.internal          | true
        .acme.internal              | acme.internal              | true
        .acme.internal              | GIT.ACME.INTERNAL.         | true
        .acme.internal              | evilacme.internal          | false
        .acme.internal              | acme.internal.evil.example | false
        *.acme.internal             | a.b.acme.internal          | true
        ghes.acme.example           | ghes.acme.example          | true
        ghes.acme.example           | api.ghes.acme.example      | true
        ghes.acme.example           | ghes.acme.example.evil.com | false
        10.0.0.0/8                  | 10.200.3.4                 | true
        10.0.0.0/8                  | 11.0.0.1                   | false
        10.0.0.0/8                  | 10.example                 | false
        192.168.1.0/25              | 192.168.1.127              | true
        192.168.1.0/25              | 192.168.1.128              | false
        10.1.2.3                    | 10.1.2.3                   | true
        10.1.2.3                    | 10.1.2.4                   | false
        fd00::/8                    | [fd12::1]                  | true
        fd00::/8                    | fe80::1                    | false
        10.0.0.0/8                  | ::ffff:10.0.0.1            | true
        *                           | anything.example           | true
        .acme.internal 127.0.0.0/8  | 127.0.0.1                  | true
        .acme.internal 127.0.0.0/8  | localhost                  | false
        ''                          | github.com                 | false
        """)
    void decidesWhichHostsAreReachedDirectly(String rules, String host, boolean direct) {
        assertThat(new NoProxyRules(entries(rules)).bypasses(host)).isEqualTo(direct);
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.0/33", "10.0.0/8", "fd00::/129", "a b", "host:8080", "http://proxy", "/8",
        "10.0.0.0/x", "300.1.1.1/8", "exa$mple.com", "..acme"})
    void refusesEntriesOfNoKnownShapeNamingThem(String entry) {
        assertThat(NoProxyRules.problem(entry)).hasValueSatisfying(p -> assertThat(p).contains(entry));
        assertThatThrownBy(() -> new NoProxyRules(List.of(entry))).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"*", ".acme.internal", "*.acme.internal", "localhost", "10.0.0.0/8", "fd00::/8",
        "192.168.0.1", "::1"})
    void acceptsHostsSuffixesAddressesAndRanges(String entry) {
        assertThat(NoProxyRules.problem(entry)).isEmpty();
    }
}
