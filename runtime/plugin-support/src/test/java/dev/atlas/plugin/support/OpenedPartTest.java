package dev.atlas.plugin.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class OpenedPartTest {

    @Test
    void namesItsOwnerWhenReadBeforeOpen() {
        OpenedPart<String> part = new OpenedPart<>("provider for app gh");

        assertThatThrownBy(part::get).isInstanceOf(IllegalStateException.class)
            .hasMessage("provider for app gh used before open()");
        assertThat(part.ifOpened()).isEmpty();
    }

    @Test
    void returnsWhatOpenSet() {
        OpenedPart<String> part = new OpenedPart<>("provider for app gh");
        part.set("login");

        assertThat(part.get()).isEqualTo("login");
        assertThat(part.ifOpened()).contains("login");
    }
}
