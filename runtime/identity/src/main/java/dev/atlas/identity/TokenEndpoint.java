package dev.atlas.identity;

import dev.atlas.core.config.AtlasConfig;
import dev.atlas.core.http.InboundRequest;
import dev.atlas.core.http.RequestCapture;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /auth/token} (RFC 6749 §3.2, §4.1.3, §6): form-encoded, client authenticated by
 * {@link ClientAuthentication}, grants {@code authorization_code} (with PKCE per RFC 7636) and {@code refresh_token}.
 * Errors are RFC 6749 §5.2 JSON: {@code invalid_client} 401 with a challenge; {@code invalid_grant} 400 for a bad,
 * used, expired or foreign code, a redirect URI or PKCE verifier that does not match, and a bad refresh token.
 */
final class TokenEndpoint {
    private static final Logger LOG = LoggerFactory.getLogger(TokenEndpoint.class);
    private static final Pattern VERIFIER = Pattern.compile("[A-Za-z0-9._~-]{43,128}");

    private final ClientAuthentication clients;
    private final AuthorizationCodes codes;
    private final RefreshTokens refreshTokens;
    private final TokenIssuer issuer;

    TokenEndpoint(ClientAuthentication clients, AuthorizationCodes codes, RefreshTokens refreshTokens,
        TokenIssuer issuer) {
        this.clients = clients;
        this.codes = codes;
        this.refreshTokens = refreshTokens;
        this.issuer = issuer;
    }

    void process(Exchange exchange) {
        InboundRequest request = RequestCapture.of(exchange);
        try {
            Answers.json(exchange, 200, answer(request, exchange));
        } catch (OAuthError e) {
            LOG.info("token request refused: {} ({})", e.code(), e.getMessage());
            Answers.oauthError(exchange, e);
        }
    }

    /** The form parameters, from the raw body (no route's body is ever decoded as a form by the HTTP layer). */
    private static OAuthParams form(InboundRequest request, Exchange exchange) throws OAuthError {
        try {
            return OAuthParams.parse(new String(request.body(), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw OAuthError.invalidRequest("the body is not valid form encoding");
        }
    }

    private Object answer(InboundRequest request, Exchange exchange) throws OAuthError {
        String type = request.header("Content-Type").orElse("").toLowerCase(Locale.ROOT);
        if (!type.startsWith("application/x-www-form-urlencoded")) {
            throw OAuthError.invalidRequest("the body must be application/x-www-form-urlencoded");
        }
        OAuthParams params = form(request, exchange);
        Optional<String> repeated = params.anyRepeated();
        if (repeated.isPresent()) {
            throw OAuthError.invalidRequest(repeated.get() + " is repeated");
        }
        AtlasConfig.Client client = clients.authenticate(request, params);
        String grantType = params.get("grant_type").orElseThrow(() -> OAuthError.invalidRequest("grant_type is missing"));
        return switch (grantType) {
            case "authorization_code" -> code(client, params);
            case "refresh_token" -> refresh(client, params);
            default -> throw OAuthError.unsupportedGrantType("grant_type must be authorization_code or refresh_token");
        };
    }

    private Object code(AtlasConfig.Client client, OAuthParams params) throws OAuthError {
        String code = params.get("code").orElseThrow(() -> OAuthError.invalidRequest("code is missing"));
        AuthorizationCodes.Redemption redemption = codes.redeem(code);
        if (redemption instanceof AuthorizationCodes.Replayed replayed) {
            refreshTokens.revoke(replayed.familyKey());
            LOG.warn("authorization code presented twice by client {}: its refresh tokens are revoked", client.id());
            throw OAuthError.invalidGrant("authorization code already used");
        }
        if (!(redemption instanceof AuthorizationCodes.Fresh fresh)) {
            throw OAuthError.invalidGrant("authorization code unknown or expired");
        }
        AuthorizationCodes.Grant grant = fresh.grant();
        if (!grant.clientId().equals(client.id())) {
            throw OAuthError.invalidGrant("authorization code was issued to another client");
        }
        if (!params.get("redirect_uri").orElse("").equals(grant.redirectUri())) {
            throw OAuthError.invalidGrant("redirect_uri does not match the authorization request");
        }
        Optional<String> verifier = params.get("code_verifier");
        if (grant.codeChallenge().isPresent()) {
            if (verifier.isEmpty() || !VERIFIER.matcher(verifier.get()).matches()
                || !Opaque.same(Opaque.hash(verifier.get()), grant.codeChallenge().get())) {
                throw OAuthError.invalidGrant("code_verifier is missing or does not match the code_challenge");
            }
        } else if (verifier.isPresent()) {
            // a verifier without a challenge means the challenge was stripped on the way: refuse (PKCE downgrade)
            throw OAuthError.invalidGrant("code_verifier sent but the authorization request had no code_challenge");
        }
        Optional<String> refresh = Optional.empty();
        if (client.confidential()) {
            refresh = Optional.of(refreshTokens.start(fresh.family(), client.id(), grant.identity(), grant.scope(),
                grant.authTime()));
        }
        return issuer.answer(client.id(), grant.identity(), grant.scope(), grant.authTime(), grant.nonce(), refresh);
    }

    private Object refresh(AtlasConfig.Client client, OAuthParams params) throws OAuthError {
        String token = params.get("refresh_token")
            .orElseThrow(() -> OAuthError.invalidRequest("refresh_token is missing"));
        Optional<String> requested = params.get("scope");
        RefreshTokens.Rotated rotated = refreshTokens.rotate(token, client.id(), requested);
        RefreshTokens.Family family = rotated.family();
        String scope = requested.map(Scopes::grant).orElse(family.scope());
        return issuer.answer(client.id(), family.identity(), scope, family.authTime(), Optional.empty(),
            Optional.of(rotated.token()));
    }
}
