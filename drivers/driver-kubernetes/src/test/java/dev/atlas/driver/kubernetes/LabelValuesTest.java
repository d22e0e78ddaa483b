package dev.atlas.driver.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LabelValuesTest {

    @ParameterizedTest
    @ValueSource(strings = {"t-1", "Task_1.2", "a", "0123456789012345678901234567890123456789012345678901234567890ab"})
    void keepsAValidLabelValueAsItIs(String value) {
        assertThat(LabelValues.of(value)).isEqualTo(value);
    }

    @ParameterizedTest
    @ValueSource(strings = {"-lead", "trail-", "with space", "ümlaut", "a/b:c", "", "---",
        "01234567890123456789012345678901234567890123456789012345678901234567890123456789"})
    void turnsAnyOtherTextIntoAValidLabelValue(String value) {
        assertThat(LabelValues.of(value)).hasSizeBetween(1, 63).matches("[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?");
    }

    @Test
    void keepsTaskIdsThatDifferOnlyInDroppedCharactersApart() {
        assertThat(LabelValues.of("task/1")).isNotEqualTo(LabelValues.of("task:1"));
    }
}
