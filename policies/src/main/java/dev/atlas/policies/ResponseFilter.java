package dev.atlas.policies;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a REST rule lets through of the VCS's answer: an optional allow-list of JSON fields ({@link AllowList}, the
 * built-ins' form) and a list of fields removed ({@link Redactor}, a deny-list). With neither the answer passes as it
 * is; with either, the answer is <em>filtered</em> and its validators must not be returned (the proxy drops
 * {@code ETag} / {@code Last-Modified} and does not forward conditional request headers, so no upstream 304 can tell
 * the caller whether a removed field changed).
 *
 * <p>With an allow-list, a success answer (2xx) keeps the rule's fields; any other answer (an error, a redirect the
 * proxy does not follow) keeps only the fields VCS error bodies use to explain themselves, {@link #ERROR_FIELDS}.
 * Redactions apply after that, to every answer.
 */
public final class ResponseFilter {

    /** The fields an error answer of a rule with an allow-list keeps (GitHub, GitLab, Bitbucket error shapes). */
    public static final List<String> ERROR_FIELDS = List.of("message", "documentation_url", "error",
        "error_description", "type", "errors[].message", "errors[].code", "errors[].field", "errors[].resource",
        "errors[].context", "errors[].exceptionName");

    private static final ResponseFilter NONE = new ResponseFilter(Optional.empty(), List.of());
    private static final AllowList ERRORS = AllowList.of(ERROR_FIELDS);

    private final Optional<AllowList> allow;
    private final List<String> redactions;

    private ResponseFilter(Optional<AllowList> allow, List<String> redactions) {
        this.allow = allow;
        this.redactions = List.copyOf(redactions);
    }

    /** Passes every answer as it is. */
    public static ResponseFilter none() {
        return NONE;
    }

    /** Removes the fields {@code paths} name (see {@link Redactor}); no path → {@link #none()}. */
    public static ResponseFilter redacting(List<String> paths) {
        return paths.isEmpty() ? NONE : new ResponseFilter(Optional.empty(), paths);
    }

    /**
     * Keeps only the fields {@code allow} names (when present; an empty list keeps nothing of an object but the
     * braces), then removes those {@code redactions} names.
     *
     * @throws IllegalArgumentException when a path is malformed
     */
    public static ResponseFilter of(Optional<List<String>> allow, List<String> redactions) {
        Objects.requireNonNull(allow, "allow");
        redactions.forEach(Redactor::compile);
        if (allow.isEmpty() && redactions.isEmpty()) {
            return NONE;
        }
        return new ResponseFilter(allow.map(AllowList::of), redactions);
    }

    /** Whether answers are changed at all; when true, validators and conditional requests must not cross. */
    public boolean filters() {
        return allow.isPresent() || !redactions.isEmpty();
    }

    /** The allow-list's paths, when the rule has one. */
    public Optional<List<String>> allowed() {
        return allow.map(AllowList::paths);
    }

    /** The redaction paths (deny-list). */
    public List<String> redactions() {
        return redactions;
    }

    /**
     * The answer to pass on for an upstream answer of {@code status} with {@code body}.
     *
     * @return {@code body} itself when nothing is filtered or it is empty, else a new compact serialisation
     * @throws IllegalArgumentException when the body cannot be filtered (not JSON, not one value, a repeated key
     *                                  under an allow-list): it must then not be passed on at all
     */
    public byte[] apply(int status, byte[] body) {
        byte[] out = body;
        if (allow.isPresent()) {
            out = (status >= 200 && status < 300 ? allow.get() : ERRORS).filter(out);
        }
        return Redactor.redact(out, redactions);
    }

    @Override
    public String toString() {
        return "ResponseFilter[allow=" + allowed().map(List::toString).orElse("-") + ", redact=" + redactions + "]";
    }
}
