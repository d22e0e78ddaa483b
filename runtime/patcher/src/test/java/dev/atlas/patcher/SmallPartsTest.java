package dev.atlas.patcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.eclipse.jgit.transport.URIish;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Retry delays, the commit trailer, redaction and statuses. */
class SmallPartsTest {
    @ParameterizedTest(name = "attempt {0} waits {1} ms")
    @CsvSource({"2,1000", "3,2000", "4,4000", "5,8000", "6,8000", "40,8000"})
    void doublesTheRetryDelayUpToTheCap(int attempt, long millis) {
        assertThat(RetryPolicy.standard().delayBefore(attempt)).isEqualTo(Duration.ofMillis(millis));
    }

    @ParameterizedTest(name = "{index}")
    @CsvSource(delimiter = '|', value = {
        "Fix it|'Fix it\n\nAtlas-Task-Id: t-1\n'",
        "'Fix it\n\nLonger body.\n'|'Fix it\n\nLonger body.\n\nAtlas-Task-Id: t-1\n'",
        "'Fix it\n\nSigned-off-by: Bot <bot@x>'|'Fix it\n\nSigned-off-by: Bot <bot@x>\nAtlas-Task-Id: t-1\n'",
        "'Note: not a trailer'|'Note: not a trailer\n\nAtlas-Task-Id: t-1\n'"})
    void addsTheTaskIdTrailerToTheCommitMessage(String message, String expected) {
        assertThat(PatchJob.messageWithTrailer(message, "t-1")).isEqualTo(expected);
    }

    @Test
    void redactsSecretsAndTheirBasicAuthForm() {
        Redactor redactor = new Redactor().add("tok-1", "user").add("res-2").add(null);

        assertThat(redactor.redact("a tok-1 b res-2 c dXNlcjp0b2stMQ==")).isEqualTo("a *** b *** c ***");
        assertThat(redactor.redact(null)).isNull();
    }

    @Test
    void neverShowsSecretValuesWhenPrinted() throws Exception {
        Secrets secrets = new Secrets("tok-SECRET-123", "x-access-token", "res-SECRET-456", "prx-SECRET-789");

        assertThat(secrets.toString()).doesNotContain("SECRET");
        assertThat(new GitCredentials(new URIish("https://h/x.git"), "u", "tok-SECRET-123").toString())
            .doesNotContain("SECRET");
    }

    @ParameterizedTest(name = "{0} exits {1}")
    @CsvSource({"COMMITTED,0,committed", "PR_OPENED,0,pr_opened", "STALE_CHANGESET,1,stale_changeset", "PATCH_FAILED,1,patch_failed",
        "PUSH_REJECTED,1,push_rejected", "ERROR,1,error"})
    void mapsEveryStatusToItsExitCodeAndWireName(Status status, int exit, String wire) {
        assertThat(status.exitCode()).isEqualTo(exit);
        assertThat(status.wireName()).isEqualTo(wire);
    }
}
