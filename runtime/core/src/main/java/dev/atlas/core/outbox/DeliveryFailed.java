package dev.atlas.core.outbox;

/**
 * Why {@code webhookSend} could not deliver one attempt: the delivery loop retries it later ({@link #retryable()})
 * or moves it to the dead letters. The message never holds a secret or a body.
 */
public final class DeliveryFailed extends RuntimeException {
    private final boolean retryable;

    public DeliveryFailed(String reason, boolean retryable) {
        super(reason, null, false, false);
        this.retryable = retryable;
    }

    public boolean retryable() {
        return retryable;
    }
}
