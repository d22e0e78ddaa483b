package dev.atlas.core.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The webhook relay on the file spool. */
class FileSpoolWebhookRelayIT extends WebhookRelayIT {

    @Override
    String spoolConfig() {
        return """
            webhooks:
              spoolDir: spool
              maxAttempts: 3
              maxBackoff: 1s
            """;
    }

    @Override
    long pendingCount() throws Exception {
        try (FileWebhookSpool spool = FileWebhookSpool.openForTools(dir.resolve("spool"))) {
            return spool.depth();
        }
    }

    @Test
    void answers503WhenTheSpoolCannotStoreAndNeverA202() throws Exception {
        Path tmp = dir.resolve("spool/tmp");
        Path aside = dir.resolve("spool/tmp-aside");
        Files.move(tmp, aside);
        Files.writeString(tmp, "a file where the spool's temp folder should be");
        byte[] body = uniqueBody();
        String delivery = "d-full-" + UUID.randomUUID();
        try {
            // the readiness probe finds the spool folder unwritable: from then on webhooks are refused, not held
            assertThat(atlas.get("/health/ready").statusCode()).isEqualTo(503);
            HttpResponse<String> response = sendValid(body, delivery);
            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(response.headers().firstValue("Retry-After")).isPresent();
        } finally {
            Files.delete(tmp);
            Files.move(aside, tmp);
        }
        assertThat(atlas.get("/health/ready").statusCode()).isEqualTo(200);
        // the VCS retries the webhook it was refused: it is no replay, since nothing was stored
        HttpResponse<String> retried = sendValid(body, delivery);
        assertThat(retried.statusCode()).isEqualTo(202);
        assertThat(retried.body()).doesNotContain("duplicate");
        await().atMost(Duration.ofSeconds(10)).until(() -> deliveriesOf(delivery).size() == 1);
    }

    @Test
    void eachAcceptanceSyncIsTimedOnTheMetricsPageUnderTheWebhooksSpool() {
        String delivery = "d-sync-" + UUID.randomUUID();
        assertThat(sendValid(uniqueBody(), delivery).statusCode()).isEqualTo(202);
        String metrics = atlas.get("/metrics").body();
        // the 202 came after its batch's sync, which was timed before the acceptance completed
        assertThat(metrics).containsPattern("atlas_spool_journal_sync_seconds_count\\{spool=\"webhooks\",?\\} [1-9]")
            .contains("atlas_spool_journal_sync_seconds_bucket{spool=\"webhooks\",le=\"0.005\"");
    }
}
