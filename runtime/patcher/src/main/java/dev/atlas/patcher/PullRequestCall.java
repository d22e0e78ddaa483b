package dev.atlas.patcher;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code task.json}'s {@code pullRequestCall}: the one call that opens the pull request, built by the app's VCS plugin
 * when Atlas built the job (the job's proxy token allows exactly its method and path). The patcher knows no VCS: it
 * sends this call through Atlas's proxy and reads the outcome at the two JSON pointers.
 *
 * @param path the VCS REST path below the proxy's {@code /vcs/rest} prefix
 * @param headers extra proxy headers (GitHub: {@code X-Installation-ID}); never {@code Authorization} or
 *     {@code X-App-ID}, which the patcher sets
 */
record PullRequestCall(String method, String path, ObjectNode body, Map<String, String> headers, JsonPointer urlPointer,
    JsonPointer numberPointer) {

    static final String FIELD = "pullRequestCall";
    private static final Pattern METHOD = Pattern.compile("[A-Z]{1,16}");
    // a plain REST path: no query, fragment, percent-escape, whitespace or dot segment reaches the proxy from here
    private static final Pattern PATH = Pattern.compile("(/[A-Za-z0-9._~:@!$&'()*+,;=-]+)+");
    private static final Pattern DOT_SEGMENT = Pattern.compile("/\\.{1,2}(/|$)");
    private static final Pattern HEADER_NAME = Pattern.compile("[A-Za-z0-9-]{1,64}");
    private static final Pattern HEADER_VALUE = Pattern.compile("[\\x20-\\x7e]{0,256}");
    private static final Set<String> RESERVED = Set.of("authorization", "x-app-id", "host", "content-length",
        "content-type");

    /** Reads and validates {@code pullRequestCall}; a bad part is an {@code error} naming it. */
    static PullRequestCall parse(JsonNode node) throws PatchFailure {
        if (node == null || !node.isObject()) {
            throw PatchFailure.invalidField(FIELD, "missing or not an object");
        }
        String method = text(node, "method");
        if (!METHOD.matcher(method).matches()) {
            throw PatchFailure.invalidField(FIELD + ".method", "must be an HTTP method");
        }
        String path = text(node, "path");
        if (!PATH.matcher(path).matches() || DOT_SEGMENT.matcher(path).find()) {
            throw PatchFailure.invalidField(FIELD + ".path", "must be a plain REST path");
        }
        JsonNode body = node.get("body");
        if (body == null || !body.isObject()) {
            throw PatchFailure.invalidField(FIELD + ".body", "must be a JSON object");
        }
        return new PullRequestCall(method, path, (ObjectNode) body, headers(node.get("headers")),
            pointer(node, "urlPointer"), pointer(node, "numberPointer"));
    }

    private static Map<String, String> headers(JsonNode node) throws PatchFailure {
        Map<String, String> headers = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return headers;
        }
        if (!node.isObject()) {
            throw PatchFailure.invalidField(FIELD + ".headers", "must be an object of strings");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> header = it.next();
            if (!HEADER_NAME.matcher(header.getKey()).matches()
                || RESERVED.contains(header.getKey().toLowerCase(Locale.ROOT)) || !header.getValue().isTextual()
                || !HEADER_VALUE.matcher(header.getValue().asText()).matches()) {
                throw PatchFailure.invalidField(FIELD + ".headers", "holds a header the patcher may not send");
            }
            headers.put(header.getKey(), header.getValue().asText());
        }
        return headers;
    }

    private static JsonPointer pointer(JsonNode node, String name) throws PatchFailure {
        String text = text(node, name);
        try {
            return JsonPointer.compile(text);
        } catch (IllegalArgumentException e) {
            throw PatchFailure.invalidField(FIELD + "." + name, "must be a JSON pointer");
        }
    }

    private static String text(JsonNode node, String name) throws PatchFailure {
        JsonNode value = node.get(name);
        if (value == null || !value.isTextual()) {
            throw PatchFailure.invalidField(FIELD + "." + name, "missing or not a string");
        }
        return value.asText();
    }
}
