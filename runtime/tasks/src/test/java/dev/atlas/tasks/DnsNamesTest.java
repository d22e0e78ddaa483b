package dev.atlas.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DnsNamesTest {

    @Test
    void keepsANameThatIsAlreadyALabel() {
        assertThat(DnsNames.label("atlas-", "t-123")).isEqualTo("atlas-t-123");
    }

    @ParameterizedTest
    @ValueSource(strings = {"T.1", "t_1", "UPPER", "a-", "9.9.9-final", "a..b",
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"})
    void makesEveryTaskIdAValidLabelOfAtMost63Characters(String id) {
        String label = DnsNames.label("atlas-", id);
        assertThat(label).hasSizeLessThanOrEqualTo(63).matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    }

    @Test
    void givesIdsThatCleanToTheSameTextDifferentNames() {
        assertThat(DnsNames.label("atlas-", "T.1")).isNotEqualTo(DnsNames.label("atlas-", "t-1"));
        assertThat(DnsNames.label("atlas-", "x".repeat(100) + "a"))
            .isNotEqualTo(DnsNames.label("atlas-", "x".repeat(100) + "b"));
    }
}
