package dev.atlas.policies;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of checking one proxied request against an {@link ApiPolicy}.
 *
 * @param allowed    whether the request may be forwarded
 * @param status     200 when allowed; 400 for a request that cannot be understood (JSON or GraphQL syntax, a key given
 *                   twice); 415 for a REST write body that is not a JSON object; 403 when a policy rule or limit
 *                   denies it
 * @param error      {@code null} when allowed, else {@value #INVALID_REQUEST}, {@value #UNSUPPORTED_MEDIA_TYPE} or
 *                   {@value #POLICY_DENIED}
 * @param reason     human-readable explanation; caller input in it is clipped and stripped of control characters
 * @param rule       the REST rule id that matched, {@code graphql} for an allowed GraphQL document, or the name of
 *                   the check that denied ({@code default-deny}, {@code maxDepth}, {@code path-normalisation}, ...)
 * @param response   what of the upstream answer may go back (allow-list, redactions); {@link ResponseFilter#none()}
 *                   for denials and GraphQL
 * @param forward    what Atlas sends upstream for an allowed request, never the caller's bytes: for REST the body and
 *                   {@code Accept} it checked, as it re-wrote them; for GraphQL always Atlas's own JSON around its
 *                   re-printed document ({@code {"query", "variables", "operationName"}}); {@link Forward#NONE} for
 *                   denials
 */
public record Decision(boolean allowed, int status, String error, String reason, String rule, ResponseFilter response,
        Forward forward) {

    public static final String INVALID_REQUEST = "invalid_request";
    public static final String POLICY_DENIED = "policy_denied";
    /** Error of a 415: a REST write body that is not a JSON object. */
    public static final String UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type";

    /**
     * The request Atlas forwards after an allowed REST decision: never the caller's bytes, but Atlas's own writing of
     * what it checked.
     *
     * @param body   the checked JSON body re-serialised (UTF-8), or {@code null} when none is sent
     * @param accept the {@code Accept} header re-written from the media ranges that were checked, or {@code null}
     */
    public record Forward(byte[] body, String accept) {
        public static final Forward NONE = new Forward(null, null);

        /** {@code application/json} when there is a body, else {@code null}. */
        public String contentType() {
            return body == null ? null : WriteBody.CONTENT_TYPE;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    public Decision {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(response, "response");
        forward = forward == null ? Forward.NONE : forward;
        if (!allowed && forward.body() != null) {
            throw new IllegalArgumentException("a denial forwards nothing");
        }
    }

    /** A decision whose response filter only removes {@code redactions} (see {@link Redactor}), forwarding nothing. */
    public Decision(boolean allowed, int status, String error, String reason, String rule, List<String> redactions) {
        this(allowed, status, error, reason, rule, ResponseFilter.redacting(redactions), Forward.NONE);
    }

    /** A decision that forwards nothing of its own ({@link Forward#NONE}). */
    public Decision(boolean allowed, int status, String error, String reason, String rule, ResponseFilter response) {
        this(allowed, status, error, reason, rule, response, Forward.NONE);
    }

    /** The body Atlas forwards in place of the one received (UTF-8 text), when it has one of its own. */
    public Optional<String> forwardBody() {
        return forward.body() == null ? Optional.empty()
            : Optional.of(new String(forward.body(), java.nio.charset.StandardCharsets.UTF_8));
    }

    static Decision allow(String rule, ResponseFilter response) {
        return new Decision(true, 200, null, "allowed by rule " + rule, rule, response);
    }

    static Decision allow(String rule, List<String> redactions) {
        return allow(rule, ResponseFilter.redacting(redactions));
    }

    static Decision allow(String rule, ResponseFilter response, Forward forward) {
        return new Decision(true, 200, null, "allowed by rule " + rule, rule, response, forward);
    }

    /** Allowed, and {@code body} is what goes upstream instead of what was received. */
    static Decision allowForwarding(String rule, String body) {
        return new Decision(true, 200, null, "allowed by rule " + rule, rule, ResponseFilter.none(),
            new Forward(body.getBytes(java.nio.charset.StandardCharsets.UTF_8), null));
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

    static Decision unsupported(String reason) {
        return new Decision(false, 415, UNSUPPORTED_MEDIA_TYPE, reason, "body", ResponseFilter.none());
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
