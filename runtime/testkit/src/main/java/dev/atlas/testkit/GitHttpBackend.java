package dev.atlas.testkit;

import com.sun.net.httpserver.HttpExchange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * Serves one smart-HTTP git request with the real {@code git http-backend} (CGI) over the bare repositories under a
 * folder: the fakes of a VCS's git server in the tests answer exactly as git itself does. The caller checks
 * credentials first; this only runs git.
 */
public final class GitHttpBackend {
    private GitHttpBackend() {
    }

    /**
     * Runs {@code git http-backend} for {@code exchange} (whose body the caller has read as {@code body}) over the
     * repositories under {@code root}, pushes allowed, and sends its answer.
     */
    public static void serve(HttpExchange exchange, Path root, byte[] body) throws IOException {
        ProcessBuilder cgi = new ProcessBuilder("git", "http-backend");
        Map<String, String> env = cgi.environment();
        env.put("GIT_PROJECT_ROOT", root.toString());
        env.put("GIT_HTTP_EXPORT_ALL", "1");
        env.put("REQUEST_METHOD", exchange.getRequestMethod());
        env.put("PATH_INFO", exchange.getRequestURI().getRawPath());
        env.put("QUERY_STRING", exchange.getRequestURI().getRawQuery() == null ? "" : exchange.getRequestURI().getRawQuery());
        env.put("CONTENT_LENGTH", String.valueOf(body.length));
        env.put("REMOTE_USER", "atlas-test");
        env.put("REMOTE_ADDR", "127.0.0.1");
        copy(exchange, "Content-Type", env, "CONTENT_TYPE");
        copy(exchange, "Content-Encoding", env, "HTTP_CONTENT_ENCODING");
        copy(exchange, "Git-Protocol", env, "GIT_PROTOCOL");
        Process process = cgi.redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (OutputStream stdin = process.getOutputStream()) {
            stdin.write(body);
        }
        byte[] output = process.getInputStream().readAllBytes();
        int split = indexOf(output, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        int skip = 4;
        if (split < 0) {
            split = indexOf(output, "\n\n".getBytes(StandardCharsets.US_ASCII));
            skip = 2;
        }
        int status = 200;
        for (String line : new String(output, 0, Math.max(split, 0), StandardCharsets.ISO_8859_1).split("\r?\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            if (name.equalsIgnoreCase("Status")) {
                status = Integer.parseInt(value.split(" ")[0]);
            } else {
                exchange.getResponseHeaders().add(name, value);
            }
        }
        ByteArrayOutputStream rest = new ByteArrayOutputStream();
        rest.write(output, split + skip, output.length - split - skip);
        exchange.sendResponseHeaders(status, rest.size() == 0 ? -1 : rest.size());
        exchange.getResponseBody().write(rest.toByteArray());
        exchange.close();
    }

    private static void copy(HttpExchange exchange, String header, Map<String, String> env, String variable) {
        String value = exchange.getRequestHeaders().getFirst(header);
        if (value != null) {
            env.put(variable, value);
        }
    }

    private static int indexOf(byte[] data, byte[] pattern) {
        outer:
        for (int i = 0; i + pattern.length <= data.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
