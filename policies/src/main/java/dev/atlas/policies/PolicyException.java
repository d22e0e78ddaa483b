package dev.atlas.policies;

/**
 * A policy file (or its GraphQL schema subset) is invalid. The message names the file and the offending key, e.g.
 * {@code /etc/atlas/policies/gh-main.yaml: graphql.limits.maxDepth: must be an integer between 1 and 64}, so that
 * {@code atlas check} can print it as it is.
 */
public final class PolicyException extends Exception {

    private static final long serialVersionUID = 1L;

    public PolicyException(String message) {
        super(message);
    }

    public PolicyException(String message, Throwable cause) {
        super(message, cause);
    }
}
