package dev.atlas.api.config;

/**
 * Collects configuration problems so that all of them are reported together at start. Each problem names its full
 * key, as in {@code installations[0].apps[1].webhookSecret: must not be empty}.
 */
public interface Problems {

    /** Records that the value at {@code key} (a full key path) is wrong, with a message that never holds the value. */
    void add(String key, String message);
}
