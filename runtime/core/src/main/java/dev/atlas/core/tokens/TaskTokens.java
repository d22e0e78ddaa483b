package dev.atlas.core.tokens;

import dev.atlas.core.http.UniqueIds;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.atlas.api.vcs.PullRequestCall;
import dev.atlas.core.keys.MacTokens;
import dev.atlas.core.keys.SigningKeys;
import dev.atlas.core.keys.TokenRejected;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;
import java.util.Set;

/**
 * The tokens Atlas gives a job, made with its signing keys ({@code auth.signingKeys}). Each kind has its own JOSE
 * {@code typ}, audience and scope, so no token of one kind (nor an identity-provider token signed with the same keys)
 * passes as another. The result token is RS256, verifiable on {@code /.well-known/jwks.json} (SPEC §6: the cloud may
 * verify it). The git and proxy tokens are verified by Atlas alone (its git endpoint, its VCS proxy), so they are
 * HS256 under a key derived per kind from the signing key ({@link MacTokens}): the same claims and checks, replicas
 * sharing the key folder verify each other's, and an HMAC costs microseconds where an RSA signature cost
 * milliseconds of every task's acceptance:
 * <ul>
 *   <li>result token, {@code typ: atlas-result+jwt}: {@code iss} Atlas ({@code runner.publicUrl}), {@code sub} the task
 *       id, {@code aud} the cloud's origin, {@code scope: "result:<type>"}, {@code task_type}, {@code app}, a
 *       {@code jti}, {@code result_url} (the task's {@code resultUrl}, where Atlas forwards the job's results), and
 *       {@code exp} {@value #GRACE_MINUTES} minutes after the task's time limit ends. Atlas's results endpoint
 *       verifies it; the cloud may verify it on the JWKS too;</li>
 *   <li>proxy token, {@code typ: atlas-proxy+jwt} (patch tasks that open a pull request):
 *       {@code aud} Atlas's VCS proxy ({@code <publicUrl>/vcs}), {@code scope: "pr:create"}, {@code app}, {@code vcs} and
 *       {@code repo} (the repository path), {@code pr_method} and {@code pr_path} (the method and REST path of the one
 *       call the app's plugin said opens the pull request, {@code PullRequests}), same {@code sub} and {@code exp}.
 *       {@link ProxyGrant} says what the proxy lets it do;</li>
 *   <li>git token, {@code typ: atlas-git+jwt} (the {@code clone} and {@code report} parts of a job, as
 *       {@code clone-token}): {@code aud} Atlas's job endpoints ({@code <publicUrl>/jobs}), {@code scope} {@value #GIT_READ}
 *       or {@value #GIT_PUSH} (transformer and patch tasks), {@code app}, {@code repo}, {@code clone_url} (the real
 *       clone URL, checked on arrival to be on the app's origin), {@code ref}, {@code sha}, {@code branch} (push only)
 *       and {@code installation} (when given). It is not a VCS credential: Atlas's git endpoint accepts it for that
 *       one repository and forwards with the real one. {@link GitGrant} says what it allows.</li>
 * </ul>
 * The claims of these tokens carry all a replica needs, so a job may reach any replica.
 */
public final class TaskTokens {
    static final long GRACE_MINUTES = 10;
    /** JOSE type of result tokens. */
    public static final JOSEObjectType RESULT_TYPE = new JOSEObjectType("atlas-result+jwt");
    /** JOSE type of proxy tokens. */
    public static final JOSEObjectType PROXY_TYPE = new JOSEObjectType("atlas-proxy+jwt");
    /** The one scope a proxy token carries. */
    public static final String PR_CREATE = "pr:create";
    /** JOSE type of git tokens. */
    public static final JOSEObjectType GIT_TYPE = new JOSEObjectType("atlas-git+jwt");
    /** Scope of a git token that may fetch. */
    public static final String GIT_READ = "git:read";
    /** Scope of a git token that may fetch and push to the task's one branch. */
    public static final String GIT_PUSH = "git:push";

    private final SigningKeys keys;
    private final MacTokens gitKeys;
    private final MacTokens proxyKeys;
    private final String issuer;
    private final String cloudAudience;
    private final Clock clock;

    /**
     * @param issuer {@code runner.publicUrl}
     * @param cloudUrl {@code cloud.url}; its origin is the result token's audience
     */
    public TaskTokens(SigningKeys keys, URI issuer, URI cloudUrl, Clock clock) {
        this.keys = keys;
        this.gitKeys = new MacTokens(keys, "atlas/git-token/v1");
        this.proxyKeys = new MacTokens(keys, "atlas/proxy-token/v1");
        this.issuer = trim(issuer.toString());
        this.cloudAudience = cloudUrl.getScheme() + "://" + cloudUrl.getRawAuthority();
        this.clock = clock;
    }

    /** Task tokens on Atlas's signing keys (the same instance the identity provider signs with). */
    public static TaskTokens on(SigningKeys keys, dev.atlas.core.config.AtlasConfig config, Clock clock) {
        return new TaskTokens(keys, config.runner().publicUrl(), config.cloud().url(), clock);
    }

    /**
     * What a verified proxy token allows: one pull-request call of one app on one repository.
     *
     * @param method the call's HTTP method ({@code pr_method})
     * @param path the call's REST path below the proxy's REST prefix ({@code pr_path}), as the app's plugin built it
     */
    public record ProxyGrant(String taskId, String appId, String vcs, String repository, String method, String path) {
    }

    /**
     * What a verified git token allows: fetching {@code cloneUrl} (and, with {@link #push()}, pushing
     * {@code refs/heads/<branch>}) for one task of one app.
     *
     * @param repository the repository path ({@code owner/repo})
     * @param cloneUrl the real clone URL at the VCS
     * @param branch the one branch a push may update (push scope only)
     */
    public record GitGrant(String taskId, String appId, boolean push, String repository, URI cloneUrl, String ref,
        String sha, Optional<String> branch, Optional<String> installationId) {
    }

    /**
     * What a verified result token allows: posting results of one task, which Atlas forwards to {@code resultUrl}.
     *
     * @param resultUrl the task's {@code resultUrl} (checked at POST to be on {@code cloud.url}'s origin), carried
     *     in the token so that any replica can forward a result
     */
    public record ResultGrant(String taskId, String appId, String type, URI resultUrl) {
    }

    /** The audience of git tokens: Atlas's job endpoints. */
    public String jobsAudience() {
        return issuer + "/jobs";
    }

    /** The audience of proxy tokens. */
    public String proxyAudience() {
        return issuer + "/vcs";
    }

    /** The cloud's origin, the audience of result tokens. */
    public String cloudAudience() {
        return cloudAudience;
    }

    /** A result token for {@code task}. */
    public String resultToken(Task task) {
        return keys.sign(base(task, cloudAudience)
            .claim("scope", "result:" + task.type())
            .claim("task_type", task.type())
            .claim("result_url", task.resultUrl().orElseThrow().toString())
            .build(), RESULT_TYPE);
    }

    /**
     * A proxy token for a patch task that opens a pull request on {@code vcs} with {@code call} (its method and path
     * are the one call the token allows: {@code pr_method}, {@code pr_path}).
     */
    public String proxyToken(Task task, String vcs, PullRequestCall call) {
        Task.Repository repository = task.repository().orElseThrow();
        JWTClaimsSet claims = base(task, proxyAudience())
            .claim("scope", PR_CREATE)
            .claim("vcs", vcs)
            .claim("repo", repository.path())
            .claim("pr_method", call.method())
            .claim("pr_path", call.path())
            .build();
        return proxyKeys.sign(claims, PROXY_TYPE);
    }

    /**
     * A git token for {@code task}: {@value #GIT_PUSH} for transformer and patch tasks (to their
     * {@code commit.branch}), else {@value #GIT_READ}.
     */
    public String gitToken(Task task) {
        Task.Repository repository = task.repository().orElseThrow();
        JWTClaimsSet.Builder claims = base(task, jobsAudience())
            .claim("repo", repository.path())
            .claim("clone_url", repository.cloneUrl().toString())
            .claim("ref", repository.ref())
            .claim("sha", repository.sha());
        Optional<String> branch = pushBranch(task.body());
        claims.claim("scope", branch.isPresent() ? GIT_PUSH : GIT_READ);
        branch.ifPresent(b -> claims.claim("branch", b));
        task.installationId().ifPresent(i -> claims.claim("installation", i));
        return gitKeys.sign(claims.build(), GIT_TYPE);
    }

    private static Optional<String> pushBranch(Task.Body body) {
        if (body instanceof Task.Transformer transformer) {
            return Optional.of(transformer.commit().branch());
        }
        if (body instanceof Task.Patch patch) {
            return Optional.of(patch.commit().branch());
        }
        return Optional.empty();
    }

    /**
     * Verifies a git token presented for {@code taskId}: Atlas's derived git-token key, {@code typ atlas-git+jwt}, this issuer, the jobs
     * audience, not expired, its {@code sub} equal to {@code taskId}, and a known scope.
     *
     * @throws TokenRejected with the reason (never the token)
     */
    public GitGrant verifyGitToken(String token, String taskId) throws TokenRejected {
        JWTClaimsSet claims = gitKeys.verify(token, GIT_TYPE, keys.claimsVerifier(issuer, Set.of(jobsAudience()),
            Set.of("sub", "scope", "app", "repo", "clone_url", "ref", "sha", "iat")));
        try {
            if (!taskId.equals(claims.getSubject())) {
                throw new TokenRejected("the token is for another task");
            }
            String scope = claims.getStringClaim("scope");
            boolean push = GIT_PUSH.equals(scope);
            if (!push && !GIT_READ.equals(scope)) {
                throw new TokenRejected("the token's scope is not " + GIT_READ + " or " + GIT_PUSH);
            }
            Optional<String> branch = Optional.ofNullable(claims.getStringClaim("branch"));
            if (push && branch.isEmpty()) {
                throw new TokenRejected("a push token names no branch");
            }
            return new GitGrant(claims.getSubject(), claims.getStringClaim("app"), push,
                claims.getStringClaim("repo"), URI.create(claims.getStringClaim("clone_url")),
                claims.getStringClaim("ref"), claims.getStringClaim("sha"), branch,
                Optional.ofNullable(claims.getStringClaim("installation")));
        } catch (java.text.ParseException | IllegalArgumentException e) {
            throw new TokenRejected("the token's claims are malformed");
        }
    }

    /**
     * Verifies a result token presented for {@code taskId}: Atlas's key, {@code typ atlas-result+jwt}, this issuer,
     * the cloud's audience, not expired, its {@code sub} equal to {@code taskId}, scope {@code result:<task_type>},
     * and a {@code result_url} on the cloud's origin.
     *
     * @throws TokenRejected with the reason (never the token)
     */
    public ResultGrant verifyResultToken(String token, String taskId) throws TokenRejected {
        JWTClaimsSet claims = keys.verify(token, RESULT_TYPE, keys.claimsVerifier(issuer, Set.of(cloudAudience),
            Set.of("sub", "scope", "app", "task_type", "result_url", "iat")));
        try {
            if (!taskId.equals(claims.getSubject())) {
                throw new TokenRejected("the token is for another task");
            }
            String type = claims.getStringClaim("task_type");
            if (!("result:" + type).equals(claims.getStringClaim("scope"))) {
                throw new TokenRejected("the token's scope does not match its task type");
            }
            URI resultUrl = URI.create(claims.getStringClaim("result_url"));
            if (!cloudAudience.equals(resultUrl.getScheme() + "://" + resultUrl.getRawAuthority())) {
                throw new TokenRejected("the token's result URL is not on the cloud's origin");
            }
            return new ResultGrant(claims.getSubject(), claims.getStringClaim("app"), type, resultUrl);
        } catch (java.text.ParseException | IllegalArgumentException e) {
            throw new TokenRejected("the token's claims are malformed");
        }
    }

    private JWTClaimsSet.Builder base(Task task, String audience) {
        Instant now = clock.instant();
        Instant expiry = now.plus(task.timeLimit()).plus(Duration.ofMinutes(GRACE_MINUTES));
        return new JWTClaimsSet.Builder()
            .issuer(issuer)
            .subject(task.taskId())
            .audience(audience)
            .issueTime(Date.from(now))
            .notBeforeTime(Date.from(now))
            .expirationTime(Date.from(expiry))
            .jwtID(UniqueIds.next())
            .claim("app", task.appId());
    }

    /**
     * Verifies a proxy token: Atlas's derived proxy-token key and HS256, {@code typ atlas-proxy+jwt}, this issuer, the proxy audience,
     * not expired, scope {@code pr:create}, and every claim of the grant present.
     *
     * @throws TokenRejected with the reason (never the token)
     */
    public ProxyGrant verifyProxyToken(String token) throws TokenRejected {
        JWTClaimsSet claims = proxyKeys.verify(token, PROXY_TYPE, keys.claimsVerifier(issuer, Set.of(proxyAudience()),
            Set.of("sub", "scope", "app", "vcs", "repo", "pr_method", "pr_path", "iat")));
        try {
            if (!PR_CREATE.equals(claims.getStringClaim("scope"))) {
                throw new TokenRejected("the token's scope is not " + PR_CREATE);
            }
            return new ProxyGrant(claims.getSubject(), claims.getStringClaim("app"), claims.getStringClaim("vcs"),
                claims.getStringClaim("repo"), claims.getStringClaim("pr_method"), claims.getStringClaim("pr_path"));
        } catch (java.text.ParseException e) {
            throw new TokenRejected("the token's claims are malformed");
        }
    }

    private static String trim(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
