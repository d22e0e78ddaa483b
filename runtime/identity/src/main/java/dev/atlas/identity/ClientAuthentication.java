package dev.atlas.identity;

import dev.atlas.core.config.AtlasConfig;
import dev.atlas.core.http.InboundRequest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;

/**
 * Who calls the token endpoint (RFC 6749 §2.3): a confidential client with {@code client_secret_basic} (HTTP Basic,
 * id and secret form-encoded first, §2.3.1) or {@code client_secret_post} (both in the body), or a public client
 * naming itself with {@code client_id} alone. One method per request; secrets compared in constant time. Every
 * failure is {@code invalid_client} with the same description, so the answer does not tell an unknown client from a
 * wrong secret.
 */
final class ClientAuthentication {
    private static final String FAILED = "client authentication failed";

    private final IdpSettings settings;

    ClientAuthentication(IdpSettings settings) {
        this.settings = settings;
    }

    AtlasConfig.Client authenticate(InboundRequest request, OAuthParams params) throws OAuthError {
        if (request.headerCount("Authorization") > 1) {
            throw OAuthError.invalidRequest("Authorization is repeated");
        }
        Optional<String> authorization = request.header("Authorization");
        Optional<String> bodyId = params.get("client_id");
        Optional<String> bodySecret = params.get("client_secret");
        if (authorization.isPresent()) {
            if (bodySecret.isPresent()) {
                throw OAuthError.invalidRequest("use one client authentication method, not two");
            }
            String[] idAndSecret = basic(authorization.get());
            if (bodyId.isPresent() && !bodyId.get().equals(idAndSecret[0])) {
                throw OAuthError.invalidClient(FAILED);
            }
            return confidential(idAndSecret[0], idAndSecret[1]);
        }
        if (bodyId.isEmpty()) {
            throw OAuthError.invalidClient(FAILED);
        }
        if (bodySecret.isPresent()) {
            return confidential(bodyId.get(), bodySecret.get());
        }
        AtlasConfig.Client client = settings.client(bodyId.get()).orElseThrow(() -> OAuthError.invalidClient(FAILED));
        if (client.confidential()) {
            throw OAuthError.invalidClient(FAILED);
        }
        return client;
    }

    private AtlasConfig.Client confidential(String id, String secret) throws OAuthError {
        AtlasConfig.Client client = settings.client(id).orElseThrow(() -> OAuthError.invalidClient(FAILED));
        if (client.secret().isEmpty() || !client.secret().get().matches(secret.getBytes(StandardCharsets.UTF_8))) {
            throw OAuthError.invalidClient(FAILED);
        }
        return client;
    }

    /** {id, secret} of a {@code Basic} header. */
    private static String[] basic(String header) throws OAuthError {
        if (header.length() < 6 || !header.substring(0, 6).toLowerCase(Locale.ROOT).equals("basic ")) {
            throw OAuthError.invalidClient(FAILED);
        }
        try {
            String decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            if (colon < 0) {
                throw OAuthError.invalidClient(FAILED);
            }
            return new String[] {URLDecoder.decode(decoded.substring(0, colon), StandardCharsets.UTF_8),
                URLDecoder.decode(decoded.substring(colon + 1), StandardCharsets.UTF_8)};
        } catch (IllegalArgumentException e) {
            throw OAuthError.invalidClient(FAILED);
        }
    }
}
