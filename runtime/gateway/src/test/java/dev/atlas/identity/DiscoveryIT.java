package dev.atlas.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.jwk.JWKSet;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The discovery document and JWKS over HTTP: accurate, served where they say, public keys only. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DiscoveryIT {
    IdpHarness idp;
    JsonNode metadata;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        idp = IdpHarness.start(dir);
        metadata = IdpHarness.json(idp.atlas.get("/.well-known/openid-configuration"));
    }

    @AfterAll
    void stop() {
        idp.close();
    }

    @Test
    void announcesTheIssuerAndEndpointsUnderThePublicUrl() {
        String issuer = idp.url("");
        assertThat(metadata.get("issuer").asText()).isEqualTo(issuer);
        assertThat(metadata.get("authorization_endpoint").asText()).isEqualTo(issuer + "/auth/authorize");
        assertThat(metadata.get("token_endpoint").asText()).isEqualTo(issuer + "/auth/token");
        assertThat(metadata.get("userinfo_endpoint").asText()).isEqualTo(issuer + "/auth/userinfo");
        assertThat(metadata.get("jwks_uri").asText()).isEqualTo(issuer + "/.well-known/jwks.json");
        assertThat(metadata.get("end_session_endpoint").asText()).isEqualTo(issuer + "/auth/logout");
    }

    @Test
    void announcesOnlyWhatIsImplemented() {
        assertThat(texts("response_types_supported")).containsExactly("code");
        assertThat(texts("grant_types_supported")).containsExactly("authorization_code", "refresh_token");
        assertThat(texts("code_challenge_methods_supported")).containsExactly("S256");
        assertThat(texts("token_endpoint_auth_methods_supported"))
            .containsExactly("client_secret_basic", "client_secret_post", "none");
        assertThat(texts("id_token_signing_alg_values_supported")).containsExactly("RS256");
        assertThat(texts("subject_types_supported")).containsExactly("public");
        assertThat(texts("scopes_supported")).containsExactly("openid", "profile", "email");
        assertThat(texts("claims_supported")).contains("sub", "preferred_username", "name", "email", "email_verified",
            "vcs", "app", "installation");
        assertThat(metadata.get("request_uri_parameter_supported").asBoolean()).isFalse();
    }

    @Test
    void servesEveryAnnouncedEndpoint() {
        // each endpoint answers its own kind of refusal to an empty request, never 404
        assertThat(get(metadata.get("authorization_endpoint").asText()).statusCode()).isEqualTo(400);
        assertThat(get(metadata.get("userinfo_endpoint").asText()).statusCode()).isEqualTo(401);
        assertThat(get(metadata.get("end_session_endpoint").asText()).statusCode()).isEqualTo(200);
        assertThat(get(metadata.get("jwks_uri").asText()).statusCode()).isEqualTo(200);
        HttpResponse<String> token = idp.atlas.send(HttpRequest.newBuilder(URI.create(metadata.get("token_endpoint")
            .asText())).header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString("grant_type=authorization_code")).build());
        assertThat(token.statusCode()).isEqualTo(401);
    }

    @Test
    void publishesPublicRs256KeysWithKidAndNoPrivatePart() throws Exception {
        HttpResponse<String> response = idp.atlas.get("/.well-known/jwks.json");
        assertThat(response.body()).doesNotContain("\"d\"").doesNotContain("\"p\"").doesNotContain("\"q\"")
            .doesNotContain("\"dp\"").doesNotContain("\"qi\"").doesNotContain("\"k\"");
        JWKSet set = JWKSet.parse(response.body());
        assertThat(set.getKeys()).isNotEmpty().allSatisfy(key -> {
            assertThat(key.isPrivate()).isFalse();
            assertThat(key.getKeyID()).isNotBlank();
            assertThat(key.getAlgorithm().getName()).isEqualTo("RS256");
            assertThat(key.getKeyType().getValue()).isEqualTo("RSA");
        });
    }

    @Test
    void keepsPrivateKeyFilesReadableByTheOwnerOnly() throws Exception {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(idp.keys))).isEqualTo("rwx------");
        try (Stream<Path> files = Files.list(idp.keys)) {
            assertThat(files.toList()).hasSize(2).allSatisfy(file -> assertThat(PosixFilePermissions.toString(
                Files.getPosixFilePermissions(file))).isEqualTo("rw-------"));
        }
    }

    private List<String> texts(String field) {
        return java.util.stream.StreamSupport.stream(metadata.get(field).spliterator(), false)
            .map(JsonNode::asText).toList();
    }

    private HttpResponse<String> get(String url) {
        return idp.atlas.send(HttpRequest.newBuilder(URI.create(url)).GET().build());
    }
}
