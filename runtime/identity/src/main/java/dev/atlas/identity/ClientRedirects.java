package dev.atlas.identity;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The answers sent back to a client's registered redirect URI: a fresh access code, or an RFC 6749 §4.1.2.1 error.
 * Both carry the client's {@code state} and {@code iss} (RFC 9207), so a client talking to several providers can tell
 * which one answered. Callers pass only redirect URIs already matched exactly against the client's registration.
 */
final class ClientRedirects {
    private final IdpSettings settings;
    private final AuthorizationCodes codes;

    ClientRedirects(IdpSettings settings, AuthorizationCodes codes) {
        this.settings = settings;
        this.codes = codes;
    }

    /** Issues a code for {@code grant} and returns where the browser goes with it. */
    URI success(AuthorizationCodes.Grant grant, String clientState) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("code", codes.issue(grant));
        params.put("state", clientState);
        params.put("iss", settings.issuer());
        return Answers.withQuery(grant.redirectUri(), params);
    }

    URI error(String redirectUri, Optional<String> clientState, String error, String description) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("error", error);
        params.put("error_description", description);
        clientState.ifPresent(s -> params.put("state", s));
        params.put("iss", settings.issuer());
        return Answers.withQuery(redirectUri, params);
    }
}
