package dev.atlas.policies;

/**
 * Thrown inside a check to stop at the first denial; always turned into a {@link Decision} before leaving the
 * package. Carries no stack trace: it is control flow, and a hostile document can trigger it cheaply.
 */
final class Denial extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Decision decision;

    private Denial(Decision decision) {
        super(decision.reason(), null, false, false);
        this.decision = decision;
    }

    static Denial deny(String rule, String reason) {
        return new Denial(Decision.deny(rule, reason));
    }

    static Denial invalid(String reason) {
        return new Denial(Decision.invalid(reason));
    }

    static Denial unsupported(String reason) {
        return new Denial(Decision.unsupported(reason));
    }

    Decision decision() {
        return decision;
    }
}
