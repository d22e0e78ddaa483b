package dev.atlas.core.proxy;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.atlas.api.vcs.ApiCredentials;
import dev.atlas.api.vcs.ApiTarget;
import dev.atlas.api.vcs.CredentialException;
import dev.atlas.api.vcs.VcsProvider;
import dev.atlas.core.cloud.CloudAuthenticator;
import dev.atlas.core.http.AtlasException;
import dev.atlas.core.http.ErrorKind;
import dev.atlas.core.http.InboundRequest;
import dev.atlas.core.http.RequestCapture;
import dev.atlas.core.metrics.MicrometerMetrics;
import dev.atlas.core.tasks.TaskTokens;
import dev.atlas.policies.Decision;
import dev.atlas.policies.LoadedPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /vcs/graphql} and {@code /vcs/rest/{path}} ({@code vcsProxy}). In order: the caller's bearer JWT is
 * verified (401); {@code X-App-ID} picks the app (400 missing, 404 unknown); GraphQL must be JSON (415); the app's
 * policy decides on the request as received (400 unparsable GraphQL, 403 denied, with one audit line either way); the
 * VCS plugin injects its credentials; the call is forwarded without following redirects, with what the policy
 * checked as Atlas re-wrote it, never the caller's bytes (GraphQL: its own print of the checked document; REST: the
 * checked body and {@code Accept}); the answer comes back through the rule's response filter (allow-list,
 * redactions), without validators when it was filtered. Upstream timeout is 504, unreachable 502, an answer the
 * filter cannot read 502. Nothing denied is ever forwarded.
 */
public final class VcsProxy implements Processor {
    private static final Logger LOG = LoggerFactory.getLogger(VcsProxy.class);
    private static final Logger AUDIT = LoggerFactory.getLogger("atlas.audit");
    private static final String REST_PREFIX = "/vcs/rest";
    private static final Set<String> BODY_METHODS = Set.of("POST", "PUT", "PATCH", "DELETE");
    /** REST request headers Atlas writes itself from the decision instead of forwarding the caller's. */
    private static final Set<String> REWRITTEN = Set.of("accept", "content-type");
    /** Upstream answers are read whole (redaction needs the whole JSON); larger ones are refused, not truncated. */
    static final long MAX_RESPONSE_BYTES = 32L << 20;

    private final Map<String, VcsProvider> providers;
    private final Map<String, LoadedPolicy> policies;
    private final CloudAuthenticator authenticator;
    private final HttpClient http;
    private final Duration timeout;
    private final MicrometerMetrics metrics;
    private final Optional<TaskTokens> taskTokens;

    public VcsProxy(Map<String, VcsProvider> providers, Map<String, LoadedPolicy> policies,
        CloudAuthenticator authenticator, HttpClient http, Duration timeout, MicrometerMetrics metrics) {
        this(providers, policies, authenticator, http, timeout, metrics, Optional.empty());
    }

    /**
     * @param taskTokens verifies the task-scoped proxy tokens of patch jobs ({@link TaskProxyAccess}); without it
     *     only the cloud's tokens are accepted
     */
    public VcsProxy(Map<String, VcsProvider> providers, Map<String, LoadedPolicy> policies,
        CloudAuthenticator authenticator, HttpClient http, Duration timeout, MicrometerMetrics metrics,
        Optional<TaskTokens> taskTokens) {
        this.taskTokens = taskTokens;
        this.providers = providers;
        this.policies = policies;
        this.authenticator = authenticator;
        this.http = http;
        this.timeout = timeout;
        this.metrics = metrics;
    }

    @Override
    public void process(Exchange exchange) {
        InboundRequest request = RequestCapture.of(exchange);
        Optional<TaskTokens.ProxyGrant> grant = TaskProxyAccess.grant(request, taskTokens);
        String caller = grant.isPresent() ? "task:" + grant.get().taskId()
            : subject(authenticator.authenticate(request.header("Authorization")));
        if (request.headerCount("X-App-ID") > 1) {
            throw AtlasException.badRequest("X-App-ID must be sent once");
        }
        String appId = request.header("X-App-ID").map(String::trim).filter(s -> !s.isEmpty())
            .orElseThrow(() -> AtlasException.badRequest("the X-App-ID header is required"));
        VcsProvider provider = providers.get(appId);
        if (provider == null) {
            throw AtlasException.notFound("no app with that X-App-ID");
        }
        // only the exact GraphQL path is GraphQL; anything under the REST prefix, however odd, goes to the REST
        // policy as it is (e.g. /vcs/resthttps://evil: the policy refuses a path that does not start with '/')
        boolean graphql = request.rawPath().equals("/vcs/graphql");
        String restPath = graphql || !request.rawPath().startsWith(REST_PREFIX) ? ""
            : request.rawPath().substring(REST_PREFIX.length());
        if (grant.isPresent()) {
            // a job's token: only its own repository's pull-request call, and still through the policy below
            TaskProxyAccess.check(grant.get(), appId, provider.app().vcs(), request, graphql, restPath);
        }
        if (graphql) {
            JsonContentType.require(request.headers().allValues("Content-Type"));
        }
        Decision decision = decide(appId, request, graphql, restPath);
        audit(appId, caller, request, graphql, restPath, decision);
        if (!decision.allowed()) {
            metrics.count("proxy_denied_total", "app", appId, "rule", decision.rule());
            deny(exchange, request, decision);
            return;
        }
        metrics.count("proxy_allowed_total", "app", appId, "rule", decision.rule());
        if (!(provider instanceof ApiCredentials credentials)) {
            throw new AtlasException(ErrorKind.UPSTREAM_UNAVAILABLE, "the app's VCS plugin offers no API credentials");
        }
        forward(exchange, request, provider, credentials, graphql, restPath, decision);
    }

    private Decision decide(String appId, InboundRequest request, boolean graphql, String restPath) {
        LoadedPolicy policy = policies.get(appId);
        if (policy == null) {
            return new Decision(false, 403, Decision.POLICY_DENIED, "no API policy applies to this app", "no-policy",
                List.of());
        }
        if (graphql) {
            return policy.policy().checkGraphql(new String(request.body(), StandardCharsets.UTF_8));
        }
        return policy.policy().checkRest(request.method(), restPath, request.rawQuery().orElse(null),
            request.headers().allValues("Accept"), request.headers().map(), request.body());
    }

    private static String subject(JWTClaimsSet caller) {
        return caller.getSubject() == null ? "-" : caller.getSubject();
    }

    private static void audit(String appId, String caller, InboundRequest request, boolean graphql,
        String restPath, Decision decision) {
        AUDIT.info("proxy decision app={} caller={} method={} target={} decision={} rule={} status={}", appId,
            caller, request.method(),
            graphql ? "graphql" : clip(restPath), decision.allowed() ? "allow" : "deny", decision.rule(),
            decision.status());
    }

    private static String clip(String path) {
        return path.length() > 200 ? path.substring(0, 200) + "..." : path;
    }

    private static void deny(Exchange exchange, InboundRequest request, Decision decision) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", decision.error());
        body.put("reason", decision.reason());
        body.put("rule", decision.rule());
        body.put("id", request.requestId());
        dev.atlas.core.http.JsonResponses.write(exchange, decision.status(), body);
    }

    private void forward(Exchange exchange, InboundRequest request, VcsProvider provider, ApiCredentials credentials,
        boolean graphql, String restPath, Decision decision) {
        ApiTarget target = target(request, restPath);
        Map<String, String> auth;
        try {
            auth = credentials.authHeaders(target);
        } catch (CredentialException e) {
            LOG.warn("no VCS credentials for app {}: {}", provider.app().appId(), e.getMessage());
            throw new AtlasException(ErrorKind.UPSTREAM_UNAVAILABLE, "VCS credentials unavailable: " + e.getMessage());
        }
        URI apiUrl = provider.app().apiUrl();
        URI uri = graphql ? credentials.graphqlEndpoint() : restUri(apiUrl, restPath, request.rawQuery());
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(timeout);
        boolean filtered = decision.response().filters();
        request.headers().map().forEach((name, values) -> {
            // REST: Accept and Content-Type are Atlas's own writing of what the policy checked, set below
            if (ForwardedHeaders.forwardRequest(name, filtered)
                && (graphql || !REWRITTEN.contains(name.toLowerCase(Locale.ROOT)))) {
                values.forEach(v -> builder.header(name, v));
            }
        });
        auth.forEach(builder::setHeader);
        byte[] payload = decision.forward().body();
        if (graphql && payload == null) {
            throw new AtlasException(ErrorKind.INTERNAL, "the GraphQL decision carries no document to forward");
        }
        // the checked request as Atlas wrote it: no other parser ever reads the caller's text
        Optional.ofNullable(decision.forward().accept()).ifPresent(v -> builder.setHeader("Accept", v));
        Optional.ofNullable(decision.forward().contentType()).ifPresent(v -> builder.setHeader("Content-Type", v));
        HttpRequest.BodyPublisher body = BODY_METHODS.contains(request.method()) && payload != null && payload.length > 0
            ? HttpRequest.BodyPublishers.ofByteArray(payload) : HttpRequest.BodyPublishers.noBody();
        builder.method(request.method(), body);
        HttpResponse<InputStream> response;
        try {
            response = http.send(builder.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpTimeoutException e) {
            metrics.count("proxy_upstream_errors_total", "kind", "timeout");
            throw new AtlasException(ErrorKind.UPSTREAM_TIMEOUT, "the VCS did not answer within " + timeout.toSeconds()
                + "s");
        } catch (IOException e) {
            metrics.count("proxy_upstream_errors_total", "kind", "unreachable");
            throw new AtlasException(ErrorKind.UPSTREAM_UNAVAILABLE, "the VCS cannot be reached");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AtlasException(ErrorKind.UPSTREAM_UNAVAILABLE, "interrupted");
        }
        answer(exchange, response, apiUrl, decision);
    }

    private void answer(Exchange exchange, HttpResponse<InputStream> response, URI apiUrl, Decision decision) {
        byte[] body;
        try (InputStream in = response.body()) {
            body = in.readNBytes((int) MAX_RESPONSE_BYTES + 1);
        } catch (HttpTimeoutException e) {
            throw new AtlasException(ErrorKind.UPSTREAM_TIMEOUT, "the VCS answer did not arrive in time");
        } catch (IOException e) {
            throw new AtlasException(ErrorKind.UPSTREAM_UNAVAILABLE, "the VCS answer broke off");
        }
        if (body.length > MAX_RESPONSE_BYTES) {
            throw new AtlasException(ErrorKind.UPSTREAM_UNAVAILABLE, "the VCS answer is over "
                + (MAX_RESPONSE_BYTES >> 20) + " MiB");
        }
        boolean filtered = decision.response().filters();
        if (filtered) {
            try {
                body = decision.response().apply(response.statusCode(), body);
            } catch (RuntimeException e) {
                // an answer that cannot be filtered is never passed on as it is
                metrics.count("proxy_upstream_errors_total", "kind", "unredactable");
                throw new AtlasException(ErrorKind.UPSTREAM_UNAVAILABLE, "the VCS answer could not be filtered");
            }
        }
        Message message = exchange.getMessage();
        message.removeHeaders("*");
        ForwardedHeaders.copyResponse(response.headers().map(), apiUrl, filtered, message::setHeader);
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, response.statusCode());
        message.setBody(body);
    }

    private static URI restUri(URI apiUrl, String restPath, Optional<String> rawQuery) {
        String base = apiUrl.toString();
        if (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        return URI.create(base + restPath + rawQuery.map(q -> "?" + q).orElse(""));
    }

    /** Owner and repository from {@code /repos/{owner}/{repo}/...}, for installation look-up. */
    static ApiTarget target(InboundRequest request, String restPath) {
        Optional<String> installation = request.header("X-Installation-ID").map(String::trim).filter(s -> !s.isEmpty());
        List<String> segments = List.of(restPath.split("/"));
        if (segments.size() >= 4 && segments.get(1).equals("repos")) {
            return new ApiTarget(installation, Optional.of(segments.get(2)), Optional.of(segments.get(3)));
        }
        return new ApiTarget(installation, Optional.empty(), Optional.empty());
    }
}
