package dev.atlas.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atlas.core.fakes.RunningAtlas;
import dev.atlas.core.fakes.TestConfigs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * An Atlas with the identity provider on a free port, a {@link FakeVcsOAuthServer} behind its {@code fakeoauth} apps,
 * and helpers that act as a browser and as OAuth clients. Clients: {@code asgard} and {@code other} (confidential),
 * {@code strict} (confidential, PKCE required), {@code spa} (public, so PKCE required). Apps: {@code gh} in
 * installation {@code acme}, {@code gh-beta} in installation {@code beta} (same fake VCS), {@code fake-main} (a VCS
 * without OAuth login).
 */
final class IdpHarness implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String ASGARD_REDIRECT = "https://asgard.example/auth/callback";
    static final String ASGARD_SECRET = "asgard-secret";

    final FakeVcsOAuthServer vcs;
    final RunningAtlas atlas;
    final Path keys;

    private IdpHarness(FakeVcsOAuthServer vcs, RunningAtlas atlas, Path keys) {
        this.vcs = vcs;
        this.atlas = atlas;
        this.keys = keys;
    }

    static IdpHarness start(Path dir) throws Exception {
        return start(dir, new FakeVcsOAuthServer(), dir.resolve("keys"));
    }

    /** Starts one more Atlas on {@code vcs} with the key folder {@code keys} (another replica when shared). */
    static IdpHarness start(Path dir, FakeVcsOAuthServer vcs, Path keys) throws Exception {
        return start(dir, vcs, keys, Optional.empty());
    }

    /** As {@link #start(Path, FakeVcsOAuthServer, Path)}, announcing {@code publicUrl} (a load balancer's) when given. */
    static IdpHarness start(Path dir, FakeVcsOAuthServer vcs, Path keys, Optional<String> publicUrl) throws Exception {
        return start(dir, vcs, keys, publicUrl, "");
    }

    /** As above, with {@code authLines} (YAML at the indentation of {@code auth}'s keys) added to {@code auth}. */
    static IdpHarness start(Path dir, FakeVcsOAuthServer vcs, Path keys, Optional<String> publicUrl,
        String authLines) throws Exception {
        int port = TestConfigs.freePort();
        Path config = TestConfigs.write(dir, config(port, vcs.url(), keys)
            .replace("publicUrl: http://127.0.0.1:" + port, "publicUrl: " + publicUrl.orElse("http://127.0.0.1:" + port))
            .replace("  signingKeys: \"" + keys + "\"\n", "  signingKeys: \"" + keys + "\"\n" + authLines));
        return new IdpHarness(vcs, RunningAtlas.start(config, Map.of()), keys);
    }

    static String config(int port, String vcsUrl, Path keys) {
        return """
            runner:
              id: test-runner
              publicUrl: http://127.0.0.1:%1$d
              cloudSecret: whsec_c2VjcmV0LWJ5dGVzLWZvci10aGUtY2xvdWQ=
            server: { host: 127.0.0.1, port: %1$d }
            shutdown: { timeout: 5s }
            cloud:
              url: https://asgard.example
              auth: { hmacSecret: %3$s, audience: test-runner }
            installations:
              - id: acme
                apps:
                  - { id: gh, vcs: fakeoauth, webUrl: "%2$s", apiUrl: "%2$s/api", webhookSecret: s1,
                      oauth: { clientId: vcs-client, clientSecret: vcs-secret } }
                  - { id: fake-main, vcs: fakevcs, webUrl: "https://vcs.example", apiUrl: "https://vcs.example/api",
                      webhookSecret: s2 }
              - id: beta
                apps:
                  - { id: gh-beta, vcs: fakeoauth, webUrl: "%2$s", apiUrl: "%2$s/api", webhookSecret: s3,
                      oauth: { clientId: vcs-client, clientSecret: vcs-secret } }
            tasks: { driver: fake }
            plugins: { dir: plugins }
            auth:
              signingKeys: "%4$s"
              clients:
                - { id: asgard, secret: %5$s, redirectUris: ["%6$s", "http://127.0.0.1:9/cb"] }
                - { id: other, secret: other-secret, redirectUris: ["https://other.example/cb"] }
                - { id: strict, secret: strict-secret, requirePkce: true, redirectUris: ["https://strict.example/cb"] }
                - { id: spa, redirectUris: ["https://spa.example/cb"] }
            """.formatted(port, vcsUrl, TestConfigs.CLOUD_JWT_SECRET, keys, ASGARD_SECRET, ASGARD_REDIRECT);
    }

    String url(String path) {
        return atlas.url(path);
    }

    /** The authorize URL for {@code params} (form-encoded). */
    String authorizeUrl(Map<String, String> params) {
        return url("/auth/authorize?" + form(params));
    }

    /** A typical authorization request of asgard: app gh, scope openid, a state. */
    static Map<String, String> asgardRequest() {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("response_type", "code");
        params.put("client_id", "asgard");
        params.put("redirect_uri", ASGARD_REDIRECT);
        params.put("state", "client-state-1");
        params.put("scope", "openid profile email");
        params.put("app", "gh");
        return params;
    }

    /** The result of a login: where the browser was finally sent (the client's redirect URI with its query). */
    record Login(URI location, Map<String, String> query) {
        String code() {
            return query.get("code");
        }
    }

    /** Runs authorize → VCS → callback in {@code browser}; the callback must redirect to the client. */
    Login signIn(Browser browser, Map<String, String> params) {
        HttpResponse<String> callback = toCallback(browser, params);
        HttpResponse<String> back = browser.get(callback.headers().firstValue("Location").orElseThrow());
        assertThat(back.statusCode()).as(back.body()).isEqualTo(302);
        URI location = URI.create(back.headers().firstValue("Location").orElseThrow());
        return new Login(location, FakeVcsOAuthServer.parse(location.getRawQuery()));
    }

    /** Runs authorize and the VCS page; returns the VCS's redirect to Atlas's callback (not followed). */
    HttpResponse<String> toCallback(Browser browser, Map<String, String> params) {
        HttpResponse<String> authorize = browser.get(authorizeUrl(params));
        assertThat(authorize.statusCode()).as(authorize.body()).isEqualTo(302);
        String toVcs = authorize.headers().firstValue("Location").orElseThrow();
        assertThat(toVcs).startsWith(vcs.url());
        HttpResponse<String> atVcs = browser.get(toVcs);
        assertThat(atVcs.statusCode()).isEqualTo(302);
        return atVcs;
    }

    /** POSTs a form to the token endpoint with HTTP Basic client authentication (when {@code client} is given). */
    HttpResponse<String> token(Optional<String[]> basic, Map<String, String> form) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url("/auth/token")))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form(form)));
        basic.ifPresent(b -> request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
            (enc(b[0]) + ":" + enc(b[1])).getBytes(StandardCharsets.UTF_8))));
        return atlas.send(request.build());
    }

    /** asgard redeems {@code code}. */
    HttpResponse<String> redeem(String code) {
        return token(Optional.of(new String[] {"asgard", ASGARD_SECRET}), Map.of("grant_type", "authorization_code",
            "code", code, "redirect_uri", ASGARD_REDIRECT));
    }

    HttpResponse<String> userinfo(String accessToken) {
        return atlas.send(HttpRequest.newBuilder(URI.create(url("/auth/userinfo")))
            .header("Authorization", "Bearer " + accessToken).GET().build());
    }

    static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String form(Map<String, String> params) {
        StringJoiner joined = new StringJoiner("&");
        params.forEach((k, v) -> joined.add(enc(k) + "=" + enc(v)));
        return joined.toString();
    }

    static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** The S256 challenge of {@code verifier}, computed here independently of Atlas's code. */
    static String s256(String verifier) {
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(
                MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        atlas.close();
        vcs.close();
    }

    /** Stops this Atlas only (a replica sharing the VCS with another). */
    void closeAtlas() {
        atlas.close();
    }

    /** A browser: follows no redirect by itself, keeps the cookies Atlas sets (also Secure ones, over loopback). */
    static final class Browser {
        private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
        final Map<String, String> cookies = new LinkedHashMap<>();

        HttpResponse<String> get(String url) {
            return send(url, HttpRequest.newBuilder(URI.create(url)).GET());
        }

        /** POSTs {@code form} (form-encoded) with the browser's cookies and the extra {@code headers}. */
        HttpResponse<String> post(String url, Map<String, String> form, String... headers) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(IdpHarness.form(form)));
            for (int i = 0; i + 1 < headers.length; i += 2) {
                request.header(headers[i], headers[i + 1]);
            }
            return send(url, request);
        }

        private HttpResponse<String> send(String url, HttpRequest.Builder request) {
            if (!cookies.isEmpty() && url.contains("/auth/")) {
                StringJoiner header = new StringJoiner("; ");
                cookies.forEach((k, v) -> header.add(k + "=" + v));
                request.header("Cookie", header.toString());
            }
            try {
                HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
                for (String set : response.headers().allValues("Set-Cookie")) {
                    String pair = set.split(";", 2)[0];
                    int eq = pair.indexOf('=');
                    if (set.contains("Max-Age=0")) {
                        cookies.remove(pair.substring(0, eq));
                    } else {
                        cookies.put(pair.substring(0, eq), pair.substring(eq + 1));
                    }
                }
                return response;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
