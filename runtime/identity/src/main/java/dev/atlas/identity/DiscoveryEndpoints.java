package dev.atlas.identity;

import dev.atlas.core.keys.SigningKeys;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;

/**
 * {@code GET /.well-known/openid-configuration} (OpenID Connect Discovery 1.0: what this provider really does, and
 * nothing it does not) and {@code GET /.well-known/jwks.json} (the public signing keys, every key still valid, so
 * tokens signed before a rotation keep verifying).
 */
final class DiscoveryEndpoints {
    private final IdpSettings settings;
    private final SigningKeys keys;

    DiscoveryEndpoints(IdpSettings settings, SigningKeys keys) {
        this.settings = settings;
        this.keys = keys;
    }

    void metadata(Exchange exchange) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("issuer", settings.issuer());
        metadata.put("authorization_endpoint", settings.url("/auth/authorize"));
        metadata.put("token_endpoint", settings.url("/auth/token"));
        metadata.put("userinfo_endpoint", settings.url("/auth/userinfo"));
        metadata.put("jwks_uri", settings.url("/.well-known/jwks.json"));
        metadata.put("end_session_endpoint", settings.url("/auth/logout"));
        metadata.put("response_types_supported", List.of("code"));
        metadata.put("response_modes_supported", List.of("query"));
        metadata.put("grant_types_supported", List.of("authorization_code", "refresh_token"));
        metadata.put("subject_types_supported", List.of("public"));
        metadata.put("id_token_signing_alg_values_supported", List.of(SigningKeys.ALGORITHM.getName()));
        metadata.put("token_endpoint_auth_methods_supported", authMethods());
        metadata.put("code_challenge_methods_supported", List.of("S256"));
        metadata.put("scopes_supported", Scopes.SUPPORTED);
        List<String> claims = new java.util.ArrayList<>(List.of("sub", "iss", "aud", "exp", "iat", "auth_time",
            "nonce"));
        claims.addAll(Identity.CLAIMS);
        metadata.put("claims_supported", claims);
        metadata.put("prompt_values_supported", List.of("none", "login"));
        metadata.put("authorization_response_iss_parameter_supported", true);
        metadata.put("claims_parameter_supported", false);
        metadata.put("request_parameter_supported", false);
        metadata.put("request_uri_parameter_supported", false);
        Answers.publicJson(exchange, metadata);
    }

    /** {@code none} (a public client sending its id only) is announced only when a public client is configured. */
    private List<String> authMethods() {
        boolean anyPublic = settings.clients().values().stream().anyMatch(c -> !c.confidential());
        return anyPublic ? List.of("client_secret_basic", "client_secret_post", "none")
            : List.of("client_secret_basic", "client_secret_post");
    }

    void jwks(Exchange exchange) {
        // publicJwks() holds public parts only; asking for public keys again guards against a future change there
        Answers.publicJson(exchange, keys.publicJwks().toJSONObject(true));
    }
}
