package dev.atlas.core.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LogLevelDefaultsTest {
    @ParameterizedTest(name = "{0} -> quiet {1}")
    @CsvSource({"run, false", "patch, false", "report, false", "check, true", "demo, true", "webhooks, true",
        "policy, true", "keys, true"})
    void jobProgramsKeepTheirProgressLinesWhileToolsStayQuiet(String command, boolean quiet) {
        assertThat(AtlasCli.quietByDefault(new String[] {command, "--help"})).isEqualTo(quiet);
    }
}
