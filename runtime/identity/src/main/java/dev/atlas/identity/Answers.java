package dev.atlas.identity;

import dev.atlas.core.http.JsonResponses;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * How the identity provider answers. It does not throw to the {@code atlas-errors} JSON mapper, because OAuth fixes
 * other shapes: a browser at {@code /auth/authorize} or {@code /auth/callback} must get a readable HTML page (and never
 * a redirect to an address that was not verified), the token endpoint must answer RFC 6749 §5.2 error JSON, and
 * userinfo must answer RFC 6750 {@code WWW-Authenticate} challenges.
 *
 * <p>Every answer is {@code Cache-Control: no-store}: pages and redirects carry codes or login state, JSON carries
 * tokens. Pages and redirects also send {@code Referrer-Policy: no-referrer}, so the query of the callback (the VCS's
 * code, Atlas's state) never leaves in a {@code Referer} header.
 */
final class Answers {
    private Answers() {
    }

    /** An HTML page with {@code title} and {@code message} (both escaped; never put a token or code in them). */
    static void page(Exchange exchange, int status, String title, String message, List<String> cookies) {
        String html = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + escape(title)
            + "</title></head>\n<body><h1>" + escape(title) + "</h1>\n<p>" + escape(message) + "</p></body></html>\n";
        Message page = browserHeaders(exchange, cookies);
        page.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        page.setHeader(Exchange.CONTENT_TYPE, "text/html; charset=utf-8");
        page.setHeader("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
        page.setHeader("X-Content-Type-Options", "nosniff");
        page.setHeader("X-Frame-Options", "DENY");
        page.setBody(html.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * An HTML page asking the user to confirm by {@code POST} to {@code action}, with {@code fields} as hidden inputs
     * (names and values escaped). Nothing on the page runs a script.
     */
    static void form(Exchange exchange, String title, String button, String action, Map<String, String> fields) {
        StringBuilder html = new StringBuilder("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
            .append(escape(title)).append("</title></head>\n<body><h1>").append(escape(title)).append("</h1>\n")
            .append("<form method=\"post\" action=\"").append(escape(action)).append("\">\n");
        fields.forEach((name, value) -> html.append("<input type=\"hidden\" name=\"").append(escape(name))
            .append("\" value=\"").append(escape(value)).append("\">\n"));
        html.append("<button type=\"submit\">").append(escape(button)).append("</button>\n</form></body></html>\n");
        Message page = browserHeaders(exchange, List.of());
        page.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        page.setHeader(Exchange.CONTENT_TYPE, "text/html; charset=utf-8");
        page.setHeader("Content-Security-Policy", "default-src 'none'; form-action 'self'; frame-ancestors 'none'");
        page.setHeader("X-Content-Type-Options", "nosniff");
        page.setHeader("X-Frame-Options", "DENY");
        page.setBody(html.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** A 302 to {@code location}, which the caller has verified (a registered redirect URI or the VCS's page). */
    static void redirect(Exchange exchange, URI location, List<String> cookies) {
        Message message = browserHeaders(exchange, cookies);
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, 302);
        message.setHeader("Location", location.toString());
        message.setBody(new byte[0]);
    }

    private static Message browserHeaders(Exchange exchange, List<String> cookies) {
        Message message = exchange.getMessage();
        message.setHeader("Cache-Control", "no-store");
        message.setHeader("Pragma", "no-cache");
        message.setHeader("Referrer-Policy", "no-referrer");
        if (!cookies.isEmpty()) {
            message.setHeader("Set-Cookie", List.copyOf(cookies));
        }
        return message;
    }

    /** JSON that must not be cached (tokens, userinfo, token errors). */
    static void json(Exchange exchange, int status, Object body) {
        JsonResponses.write(exchange, status, body);
        exchange.getMessage().setHeader("Cache-Control", "no-store");
        exchange.getMessage().setHeader("Pragma", "no-cache");
    }

    /** JSON that clients may cache for a few minutes (discovery, JWKS). */
    static void publicJson(Exchange exchange, Object body) {
        JsonResponses.write(exchange, 200, body);
        exchange.getMessage().setHeader("Cache-Control", "public, max-age=300");
    }

    /** An RFC 6749 §5.2 error: {@code {"error", "error_description"}}. */
    static void oauthError(Exchange exchange, OAuthError error) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error.code());
        body.put("error_description", error.getMessage());
        json(exchange, error.status(), body);
        error.challenge().ifPresent(c -> exchange.getMessage().setHeader("WWW-Authenticate", c));
    }

    /** {@code base} with {@code params} added to its query (form-encoded), keeping any query it has. */
    static URI withQuery(String base, Map<String, String> params) {
        StringBuilder uri = new StringBuilder(base);
        char separator = base.contains("?") ? '&' : '?';
        for (Map.Entry<String, String> param : params.entrySet()) {
            uri.append(separator).append(encode(param.getKey())).append('=').append(encode(param.getValue()));
            separator = '&';
        }
        return URI.create(uri.toString());
    }

    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
