package dev.atlas.policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class CanonicalGraphqlTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        NUL                       | 0000
        unit separator            | 001F
        DEL                       | 007F
        next line                 | 0085
        e acute                   | 00E9
        line separator            | 2028
        paragraph separator       | 2029
        byte order mark           | FEFF
        """)
    void escapesEveryCharacterOutsidePrintableAsciiInsideStrings(String why, String hex) {
        char c = (char) Integer.parseInt(hex, 16);

        String escaped = CanonicalGraphql.escapeStrings("{a(x:\"<" + c + ">\")}");

        assertThat(escaped).isEqualTo("{a(x:\"<\\u" + hex + ">\")}");
    }

    @Test
    void writesASurrogatePairAsTwoEscapes() {
        assertThat(CanonicalGraphql.escapeStrings("{a(x:\"\uD83D\uDE00\")}")).isEqualTo("{a(x:\"\\uD83D\\uDE00\")}");
    }

    @Test
    void refusesAnUnpairedSurrogateAsAnInvalidRequest() {
        assertThatThrownBy(() -> CanonicalGraphql.escapeStrings("{a(x:\"\uDE00\uD83D\")}"))
            .isInstanceOfSatisfying(Denial.class, d -> assertThat(d.decision().status()).isEqualTo(400));
    }

    @Test
    void leavesThePrintersOwnEscapesAndQuotesAsTheyAre() {
        String printed = "{a(x:\"\\\"\\\\\\n\",y:\"\")}";

        assertThat(CanonicalGraphql.escapeStrings(printed)).isSameAs(printed);
    }

    @Test
    void failsRatherThanGuessesOnACharacterOutsideAString() {
        assertThatThrownBy(() -> CanonicalGraphql.escapeStrings("{a\u2028b}")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> CanonicalGraphql.escapeStrings("{a\nb}")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> CanonicalGraphql.escapeStrings("{a(x:\"b)}")).isInstanceOf(IllegalStateException.class);
    }
}
