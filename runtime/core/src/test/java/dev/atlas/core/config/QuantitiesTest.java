package dev.atlas.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class QuantitiesTest {

    @ParameterizedTest(name = "{0} (cpu {1}) = {2}")
    @CsvSource(textBlock = """
        500m,   true,  0.5
        2,      true,  2
        0.25,   true,  0.25
        1000m,  true,  1
        512Mi,  false, 536870912
        1Gi,    false, 1073741824
        500M,   false, 500000000
        128974848, false, 128974848
        """)
    void readsPlainQuantities(String text, boolean cpu, String amount) {
        assertThat(Quantities.parse(text, cpu)).hasValueSatisfying(v ->
            assertThat(v).isEqualByComparingTo(new BigDecimal(amount)));
    }

    @ParameterizedTest(name = "{0} (cpu {1}) refused")
    @CsvSource(textBlock = """
        0,      true
        -1,     true
        1Gi,    true
        0.5m,   true
        1e3,    true
        '',     true
        512mi,  false
        1m,     false
        ' 1Gi', false
        1.2.3,  false
        0Mi,    false
        """)
    void refusesAnythingElse(String text, boolean cpu) {
        assertThat(Quantities.parse(text, cpu)).isEmpty();
    }
}
