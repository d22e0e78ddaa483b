package dev.atlas.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two Atlas replicas behind one public URL sharing the key folder, as {@link IdpModule} documents: what is signed or
 * sealed works on either replica; with each replica's own {@code auth.storage} (here the default, {@code file}, in
 * separate data folders) codes and refresh tokens only at the replica that issued them ({@link KubernetesReplicasIT}
 * shares them).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReplicasIT {
    IdpHarness first;
    IdpHarness second;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        Path keys = dir.resolve("shared-keys");
        first = IdpHarness.start(Files.createDirectories(dir.resolve("a")), new FakeVcsOAuthServer(), keys);
        second = IdpHarness.start(Files.createDirectories(dir.resolve("b")), first.vcs, keys,
            Optional.of(first.url("")));
    }

    @AfterAll
    void stop() {
        second.closeAtlas();
        first.close();
    }

    @Test
    void publishesTheSameKeysOnBothReplicas() {
        assertThat(second.atlas.get("/.well-known/jwks.json").body())
            .isEqualTo(first.atlas.get("/.well-known/jwks.json").body());
        assertThat(second.atlas.get("/.well-known/openid-configuration").body())
            .isEqualTo(first.atlas.get("/.well-known/openid-configuration").body());
    }

    /** Authorize at the first replica, the VCS's redirect to the callback lands at the second: its code. */
    private String codeFromSecondReplica() {
        IdpHarness.Browser browser = new IdpHarness.Browser();
        String callback = first.toCallback(browser, IdpHarness.asgardRequest()).headers().firstValue("Location")
            .orElseThrow();
        HttpResponse<String> back = browser.get(callback.replace(first.url(""), second.url("")));
        assertThat(back.statusCode()).as(back.body()).isEqualTo(302);
        URI location = URI.create(back.headers().firstValue("Location").orElseThrow());
        assertThat(location.toString()).startsWith(IdpHarness.ASGARD_REDIRECT + "?code=");
        return FakeVcsOAuthServer.parse(location.getRawQuery()).get("code");
    }

    @Test
    void completesALoginStartedAtOneReplicaAtTheOther() {
        assertThat(codeFromSecondReplica()).isNotBlank();
    }

    @Test
    void rejectsACodeAtAReplicaThatDidNotIssueItAndAcceptsItAtTheIssuer() {
        String code = codeFromSecondReplica();
        TokenIT.assertOAuthError(first.redeem(code), 400, "invalid_grant");
        assertThat(second.redeem(code).statusCode()).isEqualTo(200);
    }

    @Test
    void acceptsAnAccessTokenOfOneReplicaAtTheOthersUserinfo() {
        String code = first.signIn(new IdpHarness.Browser(), IdpHarness.asgardRequest()).code();
        JsonNode tokens = IdpHarness.json(first.redeem(code));
        HttpResponse<String> userinfo = second.userinfo(tokens.get("access_token").asText());
        assertThat(userinfo.statusCode()).isEqualTo(200);
        assertThat(IdpHarness.json(userinfo).get("sub").asText()).isEqualTo("fakeoauth:acme:gh:42");
    }

    @Test
    void honoursASessionCookieSetByTheOtherReplica() {
        IdpHarness.Browser browser = new IdpHarness.Browser();
        first.signIn(browser, IdpHarness.asgardRequest());
        HttpResponse<String> again = browser.get(second.authorizeUrl(IdpHarness.asgardRequest()));
        URI location = URI.create(again.headers().firstValue("Location").orElseThrow());
        assertThat(location.toString()).startsWith(IdpHarness.ASGARD_REDIRECT + "?code=");
        Map<String, String> query = FakeVcsOAuthServer.parse(location.getRawQuery());
        assertThat(second.redeem(query.get("code")).statusCode()).isEqualTo(200);
    }
}
