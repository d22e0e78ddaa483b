package dev.atlas.api.config;

import dev.atlas.api.Secret;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Read access to one section of {@code atlas.yaml}, with secret references already resolved. Every getter that
 * meets a value of the wrong type, or a required value that is missing, records a problem under the value's full
 * key and returns empty; callers read every value first and let the host report all problems at once.
 */
public interface ConfigSection {

    /** The full key of this section, such as {@code installations[0].apps[1].github}; empty for the root. */
    String path();

    /** The full key of {@code key} within this section. */
    default String keyOf(String key) {
        return path().isEmpty() ? key : path() + "." + key;
    }

    /** False when the section is absent from the file (its getters then return empty). */
    boolean isPresent();

    /** The keys present in this section. */
    Set<String> keys();

    /** Records a problem for every key present that is not in {@code known}: unknown keys are errors. */
    void allowOnly(Set<String> known);

    /** A text value; empty when absent. */
    Optional<String> string(String key);

    /** A text value that must be present and not blank; records {@code must not be empty} otherwise. */
    Optional<String> requiredString(String key);

    /** A secret value; empty when absent. Never logged. */
    Optional<Secret> secret(String key);

    /** A secret that must be present and not empty. */
    Optional<Secret> requiredSecret(String key);

    /** An integer value. */
    Optional<Long> integer(String key);

    /** A boolean value. */
    Optional<Boolean> bool(String key);

    /** A duration such as {@code 30s}, {@code 5m}, {@code 24h}, {@code 250ms} or an ISO-8601 {@code PT30S}. */
    Optional<Duration> duration(String key);

    /** An absolute http(s) URL. */
    Optional<URI> url(String key);

    /** A list of text values. */
    List<String> strings(String key);

    /** A map of text to text (labels, node selectors). */
    Map<String, String> stringMap(String key);

    /** A nested section (absent sections report {@link #isPresent()} false). */
    ConfigSection section(String key);

    /** A list of nested sections. */
    List<ConfigSection> sections(String key);

    /** Where problems of this section go, for checks that span several values. */
    Problems problems();
}
