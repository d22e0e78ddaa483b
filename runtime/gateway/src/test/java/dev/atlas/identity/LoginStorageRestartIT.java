package dev.atlas.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code auth.storage} across a restart: {@code file} (the default) keeps the refresh chain, {@code memory} not. */
class LoginStorageRestartIT {
    static final String[] ASGARD = {"asgard", IdpHarness.ASGARD_SECRET};

    private static String refreshTokenBeforeARestart(Path dir, String storage, FakeVcsOAuthServer vcs)
        throws Exception {
        try (IdpHarness before = IdpHarness.start(dir, vcs, dir.resolve("keys"), Optional.empty(), storage)) {
            HttpResponse<String> tokens = before.redeem(before.signIn(new IdpHarness.Browser(),
                IdpHarness.asgardRequest()).code());
            assertThat(tokens.statusCode()).as(tokens.body()).isEqualTo(200);
            return IdpHarness.json(tokens).get("refresh_token").asText();
        }
    }

    private static HttpResponse<String> refreshAfterTheRestart(Path dir, String storage, String token)
        throws Exception {
        try (IdpHarness after = IdpHarness.start(dir, new FakeVcsOAuthServer(), dir.resolve("keys"), Optional.empty(),
            storage)) {
            return after.token(Optional.of(ASGARD), Map.of("grant_type", "refresh_token", "refresh_token", token));
        }
    }

    @Test
    void refreshesALoginOfBeforeTheRestartWithFileStorage(@TempDir Path dir) throws Exception {
        String token = refreshTokenBeforeARestart(dir, "", new FakeVcsOAuthServer());
        HttpResponse<String> refreshed = refreshAfterTheRestart(dir, "", token);
        assertThat(refreshed.statusCode()).as(refreshed.body()).isEqualTo(200);
        assertThat(IdpHarness.json(refreshed).get("refresh_token").asText()).isNotEqualTo(token);
        assertThat(dir.resolve("data/auth/refresh-family")).isNotEmptyDirectory();
    }

    @Test
    void endsEveryLoginAtARestartWithMemoryStorage(@TempDir Path dir) throws Exception {
        String token = refreshTokenBeforeARestart(dir, "  storage: memory\n", new FakeVcsOAuthServer());
        TokenIT.assertOAuthError(refreshAfterTheRestart(dir, "  storage: memory\n", token), 400, "invalid_grant");
        assertThat(dir.resolve("data/auth")).doesNotExist();
    }
}
