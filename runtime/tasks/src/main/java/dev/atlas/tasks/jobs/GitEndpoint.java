package dev.atlas.tasks.jobs;

import dev.atlas.api.vcs.ApiCredentials;
import dev.atlas.api.vcs.ApiTarget;
import dev.atlas.api.vcs.CredentialException;
import dev.atlas.api.vcs.VcsProvider;
import dev.atlas.core.http.AtlasException;
import dev.atlas.core.http.ErrorKind;
import dev.atlas.core.http.InboundRequest;
import dev.atlas.core.http.RequestCapture;
import dev.atlas.core.keys.TokenRejected;
import dev.atlas.core.metrics.MicrometerMetrics;
import dev.atlas.core.tokens.TaskTokens;
import dev.atlas.core.tokens.TaskTokens.GitGrant;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Atlas's git endpoint for jobs ({@code jobsGit}, route {@code jobs-git}; SPEC §6): git smart HTTP under
 * {@code /jobs/{taskId}/git} for the task's one repository. The job authenticates with HTTP Basic whose password is
 * its git token ({@link TaskTokens#verifyGitToken}, the user name is ignored; git sends it after the 401 challenge);
 * a token of another task, expired or forged is a 401, a read token pushing a 403. The VCS is reached by
 * {@link GitRelay} with the real credential, which never leaves Atlas. Every request is a metric
 * ({@code atlas_jobs_git_requests_total{service,outcome}}; {@code challenged} for git's first, credential-less
 * request) and each fetch, push or refusal one log line (task, service, outcome; never a token).
 */
public final class GitEndpoint implements Processor {
    private static final Logger LOG = LoggerFactory.getLogger(GitEndpoint.class);
    private static final Pattern PATH = Pattern.compile("/jobs/([^/]{1,128})/git/(info/refs|git-upload-pack|"
        + "git-receive-pack)");
    private static final String REALM = "atlas";

    private final TaskTokens tokens;
    private final Map<String, VcsProvider> providers;
    private final GitRelay relay;
    private final MicrometerMetrics metrics;
    private final long maxBodyBytes;

    GitEndpoint(TaskTokens tokens, Map<String, VcsProvider> providers, GitRelay relay, MicrometerMetrics metrics,
        long maxBodyBytes) {
        this.tokens = tokens;
        this.providers = providers;
        this.relay = relay;
        this.metrics = metrics;
        this.maxBodyBytes = maxBodyBytes;
    }

    /** One git request: {@code info/refs} (advertise) or a {@code POST} of {@code service}. */
    private record Call(String taskId, boolean advertise, String service) {
    }

    @Override
    public void process(Exchange exchange) {
        InboundRequest request = RequestCapture.of(exchange);
        String service = "unknown";
        String taskId = "-";
        String outcome = "error";
        String detail = "";
        boolean advertised = false;
        try {
            Call call = parse(request);
            advertised = call.advertise();
            service = call.service();
            taskId = call.taskId();
            GitGrant grant = authenticate(request, call.taskId());
            if (GitSmartHttp.RECEIVE_PACK.equals(call.service()) && !grant.push()) {
                throw new AtlasException(ErrorKind.FORBIDDEN, "this task's git token may not push");
            }
            GitRelay.Vcs vcs = vcs(grant);
            if (call.advertise()) {
                answer(exchange, GitSmartHttp.advertisementType(service), relay.advertise(grant, vcs, service));
                outcome = "ok";
            } else if (GitSmartHttp.UPLOAD_PACK.equals(service)) {
                answer(exchange, GitSmartHttp.resultType(service), relay.upload(grant, vcs, body(request, service)));
                outcome = "ok";
            } else {
                GitRelay.Received received = relay.receive(grant, vcs, body(request, service));
                answer(exchange, GitSmartHttp.resultType(service), received.report());
                outcome = received.outcome().name().toLowerCase(Locale.ROOT);
                detail = received.reasons().isEmpty() ? "" : " " + received.reasons();
            }
        } catch (AtlasException e) {
            // git's first request carries no credentials: the challenge is the normal first step, not a failure
            boolean challenge = e.kind() == ErrorKind.UNAUTHORIZED && request.headerCount("Authorization") == 0;
            outcome = challenge ? "challenged" : e.kind().code();
            detail = " (" + e.getMessage() + ")";
            throw e;
        } catch (CredentialException e) {
            outcome = "upstream_unavailable";
            detail = " (no VCS credential: " + e.getMessage() + ")";
            throw new AtlasException(ErrorKind.UPSTREAM_UNAVAILABLE, "Atlas has no credential for the VCS: "
                + e.getMessage());
        } catch (GitUpstreamException e) {
            outcome = "upstream_unavailable";
            detail = " (" + e.getMessage() + ")";
            throw new AtlasException(ErrorKind.UPSTREAM_UNAVAILABLE, e.getMessage());
        } catch (IOException e) {
            detail = " (" + e.getClass().getSimpleName() + ")";
            throw new AtlasException(ErrorKind.INTERNAL, "internal error", Map.of(), Optional.empty(), e);
        } finally {
            metrics.count("jobs_git_requests_total", "service", service, "outcome", outcome);
            if (advertised && outcome.equals("ok") || outcome.equals("challenged")) {
                // the ref advertisement and the challenge before each fetch or push: not a fetch or push of their own
                LOG.debug("git {} for task {}: {}{}", service, taskId, outcome, detail);
            } else {
                LOG.info("git {} for task {}: {}{}", service, taskId, outcome, detail);
            }
        }
    }

    private static Call parse(InboundRequest request) {
        Matcher path = PATH.matcher(request.rawPath());
        if (!path.matches()) {
            throw AtlasException.notFound("no such git resource (smart HTTP only)");
        }
        String taskId = path.group(1);
        String resource = path.group(2);
        if (resource.equals("info/refs")) {
            requireMethod(request, "GET");
            String service = request.rawQuery().map(GitEndpoint::service).orElse("");
            if (!service.equals(GitSmartHttp.UPLOAD_PACK) && !service.equals(GitSmartHttp.RECEIVE_PACK)) {
                throw AtlasException.notFound("only smart HTTP is served: info/refs?service=git-upload-pack or "
                    + "git-receive-pack");
            }
            return new Call(taskId, true, service);
        }
        requireMethod(request, "POST");
        return new Call(taskId, false, resource);
    }

    private static String service(String query) {
        for (String pair : query.split("&")) {
            if (pair.startsWith("service=")) {
                return pair.substring("service=".length());
            }
        }
        return "";
    }

    private static void requireMethod(InboundRequest request, String method) {
        if (!request.method().equals(method)) {
            throw new AtlasException(ErrorKind.METHOD_NOT_ALLOWED, "use " + method + " here");
        }
    }

    private GitGrant authenticate(InboundRequest request, String taskId) {
        if (request.headerCount("Authorization") != 1) {
            throw AtlasException.basicChallenge("git credentials required", REALM);
        }
        String header = request.header("Authorization").orElse("");
        if (!header.regionMatches(true, 0, "Basic ", 0, 6)) {
            throw AtlasException.basicChallenge("HTTP Basic credentials required", REALM);
        }
        String password;
        try {
            String decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            password = colon < 0 ? "" : decoded.substring(colon + 1);
        } catch (IllegalArgumentException e) {
            throw AtlasException.basicChallenge("malformed Basic credentials", REALM);
        }
        try {
            return tokens.verifyGitToken(password, taskId);
        } catch (TokenRejected e) {
            throw AtlasException.basicChallenge("the git token was refused: " + e.getMessage(), REALM);
        }
    }

    private GitRelay.Vcs vcs(GitGrant grant) {
        VcsProvider provider = providers.get(grant.appId());
        if (!(provider instanceof ApiCredentials credentials)) {
            throw new AtlasException(ErrorKind.UPSTREAM_UNAVAILABLE, "the task's app has no VCS credentials");
        }
        String[] segments = grant.repository().split("/");
        if (segments.length < 2) {
            throw new AtlasException(ErrorKind.UPSTREAM_UNAVAILABLE, "the task's repository has no owner");
        }
        return new GitRelay.Vcs(credentials, new ApiTarget(grant.installationId(),
            Optional.of(segments[segments.length - 2]), Optional.of(segments[segments.length - 1])));
    }

    /** The request body, inflated when git compressed it (it gzips larger upload-pack requests). */
    private InputStream body(InboundRequest request, String service) throws IOException {
        String type = request.header("Content-Type").orElse("");
        if (!type.equals(GitSmartHttp.requestType(service))) {
            throw AtlasException.badRequest("Content-Type must be " + GitSmartHttp.requestType(service));
        }
        String encoding = request.header("Content-Encoding").orElse("").trim().toLowerCase(Locale.ROOT);
        if (encoding.isEmpty() || encoding.equals("identity")) {
            return new ByteArrayInputStream(request.body());
        }
        if (!encoding.equals("gzip") && !encoding.equals("x-gzip")) {
            throw AtlasException.badRequest("unsupported Content-Encoding");
        }
        byte[] inflated;
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(request.body()))) {
            inflated = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBodyBytes + 1));
        } catch (IOException e) {
            throw AtlasException.badRequest("the gzip body is malformed");
        }
        if (inflated.length > maxBodyBytes) {
            throw new AtlasException(ErrorKind.PAYLOAD_TOO_LARGE, "the inflated body is over " + maxBodyBytes
                + " bytes");
        }
        return new ByteArrayInputStream(inflated);
    }

    private static void answer(Exchange exchange, String contentType, byte[] body) {
        Message message = exchange.getMessage();
        message.removeHeaders("*");
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        message.setHeader(Exchange.CONTENT_TYPE, contentType);
        message.setHeader("Cache-Control", "no-cache, max-age=0, must-revalidate");
        message.setBody(body);
    }
}
