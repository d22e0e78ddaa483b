package dev.atlas.vcs.github;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atlas.api.Metrics;
import dev.atlas.api.Secret;
import dev.atlas.api.vcs.ApiTarget;
import dev.atlas.api.vcs.CredentialException;
import dev.atlas.api.vcs.GitAccess;
import dev.atlas.plugin.support.Upstream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * GitHub App installation tokens: which installation a call is for, and a token for it. Tokens are minted with
 * the App JWT and cached until five minutes before they expire; owner-to-installation lookups are cached for the
 * life of the provider. Concurrent callers for the same installation (or owner) wait for one mint (or lookup).
 */
final class InstallationTokens {
    /** Renew this long before GitHub's {@code expires_at}, so a token never expires in flight. */
    static final Duration RENEW_BEFORE = Duration.ofMinutes(5);

    private static final Pattern NUMERIC = Pattern.compile("[0-9]{1,20}");
    /** GitHub logins: letters, digits, hyphens (and {@code _shortcode} for managed users); repositories add {@code .}. */
    private static final Pattern OWNER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,99}");
    private static final Pattern REPOSITORY = Pattern.compile("[A-Za-z0-9._-]{1,100}");
    private static final String API_VERSION = "2022-11-28";

    private final URI apiUrl;
    private final Optional<String> defaultInstallation;
    private final AppJwt appJwt;
    private final HttpClient http;
    private final Clock clock;
    private final Metrics metrics;
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();
    private final Map<String, String> installationByOwner = new ConcurrentHashMap<>();
    private final Map<String, Object> locks = new ConcurrentHashMap<>();

    private record Token(Secret value, Instant renewAt) {
    }

    /**
     * Not made when the plugin opens: Jackson comes from the plugin's own jars, outside the class-data archive, and is
     * loaded at the first call to GitHub instead of at every start.
     */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }

    InstallationTokens(URI apiUrl, GithubConfig config, AppJwt appJwt, HttpClient http, Clock clock, Metrics metrics) {
        this.apiUrl = apiUrl;
        this.defaultInstallation = config.installationId();
        this.appJwt = appJwt;
        this.http = http;
        this.clock = clock;
        this.metrics = metrics;
    }

    /** An installation token for the installation {@code target} belongs to. */
    Secret tokenFor(ApiTarget target) throws CredentialException {
        String installation = installationFor(target);
        Token cached = tokens.get(installation);
        if (usable(cached)) {
            return cached.value();
        }
        synchronized (lock("token:" + installation)) {
            cached = tokens.get(installation);
            if (usable(cached)) {
                return cached.value();
            }
            Token minted = mint(installation);
            tokens.put(installation, minted);
            return minted.value();
        }
    }

    /**
     * A token minted for one git fetch or push of a task (F.3): limited to {@code target}'s repository and to
     * {@code contents: read} ({@code write} for {@link GitAccess#WRITE}). Never cached, never used for proxied calls;
     * {@link #revoke} ends it.
     */
    Secret taskToken(ApiTarget target, GitAccess access) throws CredentialException {
        String repository = target.repository().filter(r -> REPOSITORY.matcher(r).matches() && !r.equals(".")
            && !r.equals("..")).orElseThrow(() -> new CredentialException(
                "a task's git token needs the repository it is for", false));
        String installation = installationFor(target);
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.putArray("repositories").add(repository);
        body.putObject("permissions").put("contents", access == GitAccess.WRITE ? "write" : "read");
        Token minted = mint(installation, HttpRequest.BodyPublishers.ofString(body.toString()));
        metrics.count("vcs_task_tokens_minted", "vcs", "github", "access", access.name().toLowerCase(Locale.ROOT));
        return minted.value();
    }

    /** Revokes {@code token} at once ({@code DELETE /installation/token}, as the token itself); best effort. */
    void revoke(Secret token) {
        HttpRequest request = HttpRequest.newBuilder(Upstream.join(apiUrl, "/installation/token"))
            .DELETE()
            .header("Authorization", "Bearer " + token.reveal())
            .header("Accept", "application/vnd.github+json")
            .header("X-GitHub-Api-Version", API_VERSION)
            .timeout(Upstream.TIMEOUT)
            .build();
        String outcome;
        try {
            Upstream.Reply reply = Upstream.send(http, request);
            outcome = reply.status() == 204 ? "revoked" : "refused";
        } catch (IOException e) {
            outcome = "unreachable";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            outcome = "interrupted";
        }
        metrics.count("vcs_task_tokens_revoked", "vcs", "github", "outcome", outcome);
    }

    /** Drops every cached token. */
    void clear() {
        tokens.clear();
        installationByOwner.clear();
    }

    /** The caller's installation, else the configured default, else the one installed on the owner's account. */
    String installationFor(ApiTarget target) throws CredentialException {
        if (target.installationId().isPresent()) {
            String id = target.installationId().get().trim();
            if (!NUMERIC.matcher(id).matches()) {
                throw new CredentialException("installation id must be numeric", false);
            }
            return id;
        }
        if (defaultInstallation.isPresent()) {
            return defaultInstallation.get();
        }
        if (target.owner().isEmpty()) {
            throw new CredentialException(
                "no GitHub App installation for this call: name one (X-Installation-ID) or a repository owner", false);
        }
        String owner = target.owner().get();
        if (!OWNER.matcher(owner).matches()) {
            throw new CredentialException("not a GitHub account name: " + Upstream.printable(owner), false);
        }
        Optional<String> repository = target.repository().filter(r -> REPOSITORY.matcher(r).matches()
            && !r.equals(".") && !r.equals(".."));
        // GitHub logins are case-insensitive; one installation per account.
        String key = owner.toLowerCase(Locale.ROOT);
        String known = installationByOwner.get(key);
        if (known != null) {
            return known;
        }
        synchronized (lock("owner:" + key)) {
            known = installationByOwner.get(key);
            if (known == null) {
                known = lookUp(owner, repository);
                installationByOwner.put(key, known);
            }
            return known;
        }
    }

    private String lookUp(String owner, Optional<String> repository) throws CredentialException {
        String enc = Upstream.encode(owner);
        Upstream.Reply reply;
        if (repository.isPresent()) {
            reply = get("/repos/" + enc + "/" + Upstream.encode(repository.get()) + "/installation");
        } else {
            reply = get("/orgs/" + enc + "/installation");
            if (reply.status() == 404) {
                reply = get("/users/" + enc + "/installation");
            }
        }
        if (!reply.ok()) {
            throw refused(reply, "looking up the installation for " + owner);
        }
        JsonNode id = reply.json().path("id");
        if (!id.canConvertToLong()) {
            throw new CredentialException("GitHub's installation answer for " + owner + " has no id", false);
        }
        return Long.toString(id.asLong());
    }

    private Token mint(String installation) throws CredentialException {
        return mint(installation, HttpRequest.BodyPublishers.noBody());
    }

    private Token mint(String installation, HttpRequest.BodyPublisher body) throws CredentialException {
        HttpRequest.Builder request = HttpRequest.newBuilder(
            Upstream.join(apiUrl, "/app/installations/" + installation + "/access_tokens")).POST(body);
        Upstream.Reply reply = call(request.header("Content-Type", "application/json"));
        if (!reply.ok()) {
            throw refused(reply, "minting a token for installation " + installation);
        }
        metrics.count("vcs_installation_tokens_minted", "vcs", "github");
        JsonNode answer = reply.json();
        String token = answer.path("token").asText("");
        if (token.isEmpty()) {
            throw new CredentialException("GitHub's token answer for installation " + installation + " has no token", false);
        }
        Instant renewAt;
        try {
            renewAt = Instant.parse(answer.path("expires_at").asText("")).minus(RENEW_BEFORE);
        } catch (DateTimeParseException e) {
            // Without a known expiry the token is used once and not cached.
            renewAt = Instant.MIN;
        }
        return new Token(Secret.of(token), renewAt);
    }

    private Upstream.Reply get(String path) throws CredentialException {
        return call(HttpRequest.newBuilder(Upstream.join(apiUrl, path)).GET());
    }

    /** Calls GitHub as the App itself (App JWT). */
    private Upstream.Reply call(HttpRequest.Builder request) throws CredentialException {
        HttpRequest built = request
            .header("Authorization", "Bearer " + appJwt.mint().reveal())
            .header("Accept", "application/vnd.github+json")
            .header("X-GitHub-Api-Version", API_VERSION)
            .timeout(Upstream.TIMEOUT)
            .build();
        try {
            return Upstream.send(http, built);
        } catch (IOException e) {
            throw new CredentialException("GitHub API at " + apiUrl.getHost() + " unreachable: " + e.getClass().getSimpleName(),
                true, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CredentialException("interrupted while calling GitHub", true, e);
        }
    }

    private static CredentialException refused(Upstream.Reply reply, String what) {
        String message = Upstream.printable(reply.json().path("message").asText(""));
        return new CredentialException("GitHub answered " + reply.status() + " " + what
            + (message.isEmpty() ? "" : ": " + message), reply.transientFailure());
    }

    private boolean usable(Token token) {
        return token != null && clock.instant().isBefore(token.renewAt());
    }

    private Object lock(String key) {
        return locks.computeIfAbsent(key, k -> new Object());
    }
}
