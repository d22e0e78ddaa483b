package dev.atlas.policies;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Objects;

/**
 * The outcome of checking one proxied request against an {@link ApiPolicy}.
 *
 * @param allowed    whether the request may be forwarded
 * @param status     200 when allowed; 400 for a request that cannot be understood (JSON or GraphQL syntax); 403 when
 *                   a policy rule or limit denies it
 * @param error      {@code null} when allowed, else {@value #INVALID_REQUEST} or {@value #POLICY_DENIED}
 * @param reason     human-readable explanation; caller input in it is clipped and stripped of control characters
 * @param rule       the REST rule id that matched, {@code graphql} for an allowed GraphQL document, or the name of
 *                   the check that denied ({@code default-deny}, {@code maxDepth}, {@code path-normalisation}, ...)
 * @param response   what of the upstream answer may go back (allow-list, redactions); {@link ResponseFilter#none()}
 *                   for denials and GraphQL
 */
public record Decision(boolean allowed, int status, String error, String reason, String rule, ResponseFilter response) {

    public static final String INVALID_REQUEST = "invalid_request";
    public static final String POLICY_DENIED = "policy_denied";

    private static final ObjectMapper JSON = new ObjectMapper();

    public Decision {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(response, "response");
    }

    /** A decision whose response filter only removes {@code redactions} (see {@link Redactor}). */
    public Decision(boolean allowed, int status, String error, String reason, String rule, List<String> redactions) {
        this(allowed, status, error, reason, rule, ResponseFilter.redacting(redactions));
    }

    static Decision allow(String rule, ResponseFilter response) {
        return new Decision(true, 200, null, "allowed by rule " + rule, rule, response);
    }

    static Decision allow(String rule, List<String> redactions) {
        return allow(rule, ResponseFilter.redacting(redactions));
    }

    static Decision deny(String rule, String reason) {
        return new Decision(false, 403, POLICY_DENIED, reason, rule, ResponseFilter.none());
    }

    static Decision invalid(String reason) {
        return new Decision(false, 400, INVALID_REQUEST, reason, "invalid-request", ResponseFilter.none());
    }

    /** The JSON field paths the response filter removes (the deny-list); empty for denials. */
    public List<String> redactions() {
        return response.redactions();
    }

    /** The JSON error body for a denial: {@code {"error":"policy_denied","reason":"...","rule":"..."}}. */
    public String errorJson() {
        if (allowed) {
            throw new IllegalStateException("an allowed decision has no error body");
        }
        ObjectNode body = JSON.createObjectNode().put("error", error).put("reason", reason).put("rule", rule);
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
