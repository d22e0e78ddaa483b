package dev.atlas.core.boot;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The gateway's class path: every duty module's jar declares its module as a service, in today's order. */
class DutiesOnClassPathTest {

    @Test
    void findsEveryShippedDutyOnTheClassPathInConfigurationOrder() {
        assertThat(Modules.all()).extracting(ApplicationModule::id)
            .containsExactly("webhooks", "proxy", "identity", "tasks", "git", "results");
    }
}
