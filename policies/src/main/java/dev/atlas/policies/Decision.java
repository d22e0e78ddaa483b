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
 * @param status     200 when allowed; 400 for a request that cannot be understood (JSON or GraphQL syntax); 403 when
 *                   a policy rule or limit denies it
 * @param error      {@code null} when allowed, else {@value #INVALID_REQUEST} or {@value #POLICY_DENIED}
 * @param reason     human-readable explanation; caller input in it is clipped and stripped of control characters
 * @param rule       the REST rule id that matched, {@code graphql} for an allowed GraphQL document, or the name of
 *                   the check that denied ({@code default-deny}, {@code maxDepth}, {@code path-normalisation}, ...)
 * @param redactions JSON field paths (see {@link Redactor}) to remove from the upstream response; empty for denials
 * @param forwardBody the request body to send upstream in place of the one received: for an allowed GraphQL request
 *                    always Atlas's own JSON around its re-printed document ({@code {"query", "variables",
 *                    "operationName"}}), never the caller's bytes; empty for denials and for requests forwarded as
 *                    received
 */
public record Decision(boolean allowed, int status, String error, String reason, String rule, List<String> redactions,
        Optional<String> forwardBody) {

    public static final String INVALID_REQUEST = "invalid_request";
    public static final String POLICY_DENIED = "policy_denied";

    private static final ObjectMapper JSON = new ObjectMapper();

    public Decision {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(rule, "rule");
        redactions = List.copyOf(redactions);
        Objects.requireNonNull(forwardBody, "forwardBody");
        if (!allowed && forwardBody.isPresent()) {
            throw new IllegalArgumentException("a denial forwards nothing");
        }
    }

    /** A decision without a body of its own to forward. */
    public Decision(boolean allowed, int status, String error, String reason, String rule, List<String> redactions) {
        this(allowed, status, error, reason, rule, redactions, Optional.empty());
    }

    static Decision allow(String rule, List<String> redactions) {
        return new Decision(true, 200, null, "allowed by rule " + rule, rule, redactions);
    }

    /** Allowed, and {@code body} is what goes upstream instead of what was received. */
    static Decision allowForwarding(String rule, String body) {
        return new Decision(true, 200, null, "allowed by rule " + rule, rule, List.of(), Optional.of(body));
    }

    static Decision deny(String rule, String reason) {
        return new Decision(false, 403, POLICY_DENIED, reason, rule, List.of());
    }

    static Decision invalid(String reason) {
        return new Decision(false, 400, INVALID_REQUEST, reason, "invalid-request", List.of());
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
