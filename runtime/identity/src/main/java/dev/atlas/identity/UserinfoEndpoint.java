package dev.atlas.identity;

import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.JWTClaimsSetVerifier;
import dev.atlas.core.http.InboundRequest;
import dev.atlas.core.http.RequestCapture;
import dev.atlas.core.keys.SigningKeys;
import dev.atlas.core.keys.TokenRejected;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET|POST /auth/userinfo} (OpenID Connect Core §5.3): the user's claims for a bearer access token in the
 * {@code Authorization} header. The token must be an {@code at+jwt} signed RS256 by one of Atlas's keys, issued by
 * this issuer to a configured client, and unexpired; anything else (an ID token, {@code alg: none}, an HMAC token keyed
 * with the public key, a foreign key) gets 401 with {@code WWW-Authenticate: Bearer error="invalid_token"}.
 */
final class UserinfoEndpoint {
    private static final Logger LOG = LoggerFactory.getLogger(UserinfoEndpoint.class);

    private final SigningKeys keys;
    private final JWTClaimsSetVerifier<SecurityContext> claims;

    UserinfoEndpoint(IdpSettings settings, SigningKeys keys) {
        this.keys = keys;
        this.claims = keys.claimsVerifier(settings.issuer(), Set.copyOf(settings.clients().keySet()),
            Set.of("sub", "iat", "client_id"));
    }

    void process(Exchange exchange) {
        InboundRequest request = RequestCapture.of(exchange);
        Optional<String> header = request.header("Authorization");
        if (request.headerCount("Authorization") > 1) {
            Answers.oauthError(exchange, OAuthError.invalidRequest("Authorization is repeated"));
            return;
        }
        if (header.isEmpty() || header.get().length() < 7
            || !header.get().substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
            // RFC 6750 §3.1: no error code when the request carried no token
            Answers.json(exchange, 401, Map.of("error", "invalid_token", "error_description", "bearer token required"));
            exchange.getMessage().setHeader("WWW-Authenticate", "Bearer realm=\"atlas\"");
            return;
        }
        JWTClaimsSet verified;
        try {
            verified = keys.verify(header.get().substring(7).trim(), TokenIssuer.ACCESS_TOKEN, claims);
        } catch (TokenRejected e) {
            LOG.info("userinfo refused a token: {}", e.getMessage());
            Answers.oauthError(exchange, OAuthError.invalidToken("the access token is invalid or expired"));
            return;
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        for (String name : concat("sub", Identity.CLAIMS)) {
            Object value = verified.getClaim(name);
            if (value != null) {
                answer.put(name, value);
            }
        }
        Answers.json(exchange, 200, answer);
    }

    private static List<String> concat(String first, List<String> rest) {
        List<String> all = new java.util.ArrayList<>(List.of(first));
        all.addAll(rest);
        return all;
    }
}
