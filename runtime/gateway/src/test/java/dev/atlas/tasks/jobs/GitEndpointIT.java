package dev.atlas.tasks.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.atlas.api.driver.JobSpec;
import dev.atlas.api.vcs.GitAccess;
import dev.atlas.core.boot.AtlasApplication;
import dev.atlas.core.boot.Bootstrap;
import dev.atlas.core.boot.Modules;
import dev.atlas.core.fakes.FakeDriverFactory;
import dev.atlas.core.fakes.FakeGitServer;
import dev.atlas.core.fakes.FakeVcsProviderFactory;
import dev.atlas.core.fakes.TestConfigs;
import dev.atlas.testkit.MutableClock;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.PushResult;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.RemoteRefUpdate;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Atlas's git endpoint end to end: the real {@code git} command line clones and pushes over real HTTP through a running
 * Atlas, which fetches from and pushes to a fake VCS ({@code git http-backend}) that accepts only the real credential.
 * Each attack a hostile job could try is a case of its own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GitEndpointIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CLOUD = "https://asgard.example";
    private static final String VCS_USER = "x-access-token";
    private static final String VCS_TOKEN = FakeVcsProviderFactory.cloneToken("acme", "widgets");

    private final HttpClient http = HttpClient.newHttpClient();
    private Path dir;
    private Path bare;
    private Path seed;
    private GitCli git;
    private FakeGitServer vcs;
    private MutableClock clock;
    private AtlasApplication atlas;
    private String sha;

    @BeforeAll
    void start(@TempDir Path tmp) throws Exception {
        dir = tmp;
        git = new GitCli(Files.createDirectories(dir.resolve("home")));
        bare = Files.createDirectories(dir.resolve("vcs/acme/widgets.git"));
        git.run(bare, "init", "-q", "--bare", "-b", "main").ok();
        seed = Files.createDirectories(dir.resolve("seed"));
        git.run(seed, "init", "-q", "-b", "main").ok();
        Files.writeString(seed.resolve("README.md"), "hello from the VCS\n");
        git.run(seed, "add", "-A").ok();
        git.run(seed, "commit", "-q", "-m", "first").ok();
        git.run(seed, "push", "-q", bare.toString(), "main").ok();
        sha = git.run(seed, "rev-parse", "HEAD").ok().out().trim();
        // the VCS's own branch protection: it refuses any push to a branch named *vcs-refuses*
        Path hook = bare.resolve("hooks/pre-receive");
        Files.writeString(hook, "#!/bin/sh\nwhile read old new ref; do case \"$ref\" in *vcs-refuses*) "
            + "echo 'protected branch' >&2; exit 1;; esac; done\nexit 0\n");
        hook.toFile().setExecutable(true);

        vcs = FakeGitServer.start(dir.resolve("vcs"), VCS_USER, VCS_TOKEN);
        int port = TestConfigs.freePort();
        String yaml = TestConfigs.valid(port, CLOUD, "")
            .replace("webUrl: https://vcs.example", "webUrl: " + vcs.url())
            .replace("maxBodyBytes: 1024", "maxBodyBytes: 10485760");
        Path config = TestConfigs.write(dir.resolve("atlas"), yaml);
        clock = new MutableClock(Instant.now());
        atlas = AtlasApplication.start(Bootstrap.assemble(config, Map.<String, String>of()::get, config.getParent()),
            clock, Modules.all());
    }

    @AfterAll
    void stop() {
        if (atlas != null) {
            atlas.stop();
        }
        if (vcs != null) {
            vcs.close();
        }
    }

    @BeforeEach
    void forget() {
        FakeVcsProviderFactory.GIT_ACCESSES.clear();
        FakeVcsProviderFactory.REVOKED.clear();
    }

    /** A task Atlas accepted: its git endpoint and the git token its clone and report steps got. */
    private record Job(String taskId, String url, Path tokenFile, String token, String resultToken) {
    }

    private Job analysisTask() throws Exception {
        return submit("""
            {"type": "analysis", "appId": "fake-main",
             "repository": {"cloneUrl": "%s/acme/widgets.git", "ref": "main", "sha": "%s"},
             "resultUrl": "%s/results/t",
             "analyzers": [{"name": "lint", "image": "registry.example/lint:1", "command": ["lint"]}]}
            """.formatted(vcs.url(), sha, CLOUD));
    }

    private Job patchTask(String branch) throws Exception {
        return submit("""
            {"type": "patch", "appId": "fake-main",
             "repository": {"cloneUrl": "%s/acme/widgets.git", "ref": "main", "sha": "%s"},
             "resultUrl": "%s/results/p",
             "patch": "--- a/x\\n+++ b/x\\n@@ -1 +1 @@\\n-a\\n+b\\n",
             "commit": {"branch": "%s", "message": "Fix it", "author": {"name": "Atlas", "email": "a@b.c"}}}
            """.formatted(vcs.url(), sha, CLOUD, branch));
    }

    private Job submit(String body) throws Exception {
        String taskId = "t-" + UUID.randomUUID();
        HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(atlasUrl("/api/tasks/" + taskId)))
            .header("Authorization", "Bearer " + cloudToken()).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JobSpec job = FakeDriverFactory.JOBS.get(taskId);
        JsonNode task = JSON.readTree(job.taskFiles().get("task.json"));
        String token = job.secretFiles().get("clone-token").reveal();
        Path tokenFile = Files.writeString(dir.resolve("token-" + taskId), token);
        return new Job(taskId, task.path("repository").path("cloneUrl").asText(), tokenFile, token,
            job.secretFiles().get("result-token").reveal());
    }

    private String atlasUrl(String path) {
        return "http://127.0.0.1:" + atlas.port() + path;
    }

    private String cloudToken() throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder()
            .subject("asgard").audience("test-runner").expirationTime(Date.from(clock.instant().plusSeconds(300)))
            .build());
        jwt.sign(new MACSigner(TestConfigs.CLOUD_JWT_SECRET.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }

    /** Fetches the task's commit as the job's clone step does: init, fetch the commit by id, check it out. */
    private Path cloneAsTheJob(Job job, Map<String, String> env, String... depth) throws Exception {
        Path work = Files.createDirectories(dir.resolve("job-" + UUID.randomUUID()));
        git.run(work, "init", "-q").ok();
        String[] fetch = Stream.concat(Stream.of("fetch", "-q"), Stream.concat(Stream.of(depth),
            Stream.of("--", job.url(), sha))).toArray(String[]::new);
        git.withToken(work, job.tokenFile(), env, fetch).ok();
        git.run(work, "checkout", "-q", "--detach", sha).ok();
        return work;
    }

    private String vcsRefs() {
        return git.run(bare, "for-each-ref", "--format=%(refname) %(objectname)").ok().out();
    }

    private List<String> vcsPushRequests() {
        return vcs.requests().stream().filter(r -> r.contains("git-receive-pack")).toList();
    }

    private static String basic(String password) {
        return "Basic " + Base64.getEncoder().encodeToString(("atlas:" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void clonesTheTasksCommitWithItsGitToken() throws Exception {
        Job job = analysisTask();
        // what the job's git sends and receives, in full, unredacted
        Map<String, String> trace = Map.of("GIT_TRACE_CURL", "1", "GIT_TRACE_REDACT", "0");
        Path work = Files.createDirectories(dir.resolve("traced"));
        git.run(work, "init", "-q").ok();
        GitCli.Run fetch = git.withToken(work, job.tokenFile(), trace, "fetch", "--depth", "1", "--", job.url(), sha)
            .ok();
        git.run(work, "checkout", "-q", "--detach", sha).ok();

        assertThat(Files.readString(work.resolve("README.md"))).isEqualTo("hello from the VCS\n");
        assertThat(job.url()).isEqualTo(atlasUrl("/jobs/" + job.taskId() + "/git"));
        // the VCS saw the real credential only, never Atlas's git token
        assertThat(vcs.authorizations()).isNotEmpty()
            .allMatch(a -> a.equals("Basic " + Base64.getEncoder().encodeToString((VCS_USER + ":" + VCS_TOKEN)
                .getBytes(StandardCharsets.UTF_8))));
        assertThat(String.join("\n", vcs.authorizations())).doesNotContain(job.token());
        // the job's side never saw the real credential, in any form
        assertThat(fetch.err()).contains("Authorization: Basic").doesNotContain(VCS_TOKEN)
            .doesNotContain(Base64.getEncoder().encodeToString((VCS_USER + ":" + VCS_TOKEN)
                .getBytes(StandardCharsets.UTF_8)));
        assertThat(Files.readString(work.resolve(".git/config"))).doesNotContain(VCS_TOKEN);
        // read access only, and every credential revoked after its fetch
        assertThat(FakeVcsProviderFactory.GIT_ACCESSES).isNotEmpty().allMatch(a -> a == GitAccess.READ);
        assertThat(FakeVcsProviderFactory.REVOKED).hasSameSizeAs(FakeVcsProviderFactory.GIT_ACCESSES);
        assertThat(atlas.metrics().scrape())
            .contains("atlas_jobs_git_requests_total{outcome=\"ok\",service=\"git-upload-pack\"}");
    }

    @Test
    void clonesWithAPlainGitCloneOnTheTasksBranch() throws Exception {
        Job job = analysisTask();
        Path parent = Files.createDirectories(dir.resolve("plain-" + UUID.randomUUID()));
        git.withToken(parent, job.tokenFile(), "clone", "-q", job.url(), "repo").ok();
        assertThat(git.run(parent.resolve("repo"), "rev-parse", "HEAD").ok().out().trim()).isEqualTo(sha);
        // the job sees its task's ref only, not the VCS's other branches nor Atlas's own refs
        String refs = git.withToken(parent, job.tokenFile(), "ls-remote", job.url()).ok().out();
        assertThat(refs).contains("refs/heads/main").doesNotContain("refs/atlas/").doesNotContain("atlas/nonff");
    }

    static Stream<Arguments> badCredentials() {
        Function<Job[], String> noHeader = jobs -> null;
        return Stream.of(
            Arguments.of("no credentials", noHeader),
            Arguments.of("the git token of another task",
                (Function<Job[], String>) jobs -> basic(jobs[1].token())),
            Arguments.of("a tampered git token",
                (Function<Job[], String>) jobs -> basic(jobs[0].token().substring(0, jobs[0].token().length() - 3)
                    + "AAA")),
            Arguments.of("the task's result token",
                (Function<Job[], String>) jobs -> basic(jobs[0].resultToken())),
            Arguments.of("the git token as a bearer token",
                (Function<Job[], String>) jobs -> "Bearer " + jobs[0].token()),
            Arguments.of("the git token as the user name",
                (Function<Job[], String>) jobs -> "Basic " + Base64.getEncoder().encodeToString(
                    (jobs[0].token() + ":").getBytes(StandardCharsets.UTF_8))),
            Arguments.of("garbage", (Function<Job[], String>) jobs -> "Basic !!!"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badCredentials")
    void answers401WithABasicChallengeTo(String name, Function<Job[], String> authorization) throws Exception {
        Job[] jobs = {analysisTask(), analysisTask()};
        int before = vcs.requests().size();
        for (String service : List.of("git-upload-pack", "git-receive-pack")) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(jobs[0].url() + "/info/refs?service="
                + service)).GET();
            String header = authorization.apply(jobs);
            if (header != null) {
                request.header("Authorization", header);
            }
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(response.headers().firstValue("WWW-Authenticate")).contains("Basic realm=\"atlas\"");
        }
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(jobs[0].url() + "/git-upload-pack"))
            .header("Content-Type", "application/x-git-upload-pack-request")
            .POST(HttpRequest.BodyPublishers.ofString("0000")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(401);
        assertThat(vcs.requests()).hasSize(before);
    }

    @Test
    void refusesTwoAuthorizationHeaders() throws Exception {
        Job job = analysisTask();
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(job.url()
            + "/info/refs?service=git-upload-pack")).header("Authorization", basic(job.token()))
            .header("Authorization", basic("x")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(401);
    }

    @Test
    void gitGivesUpWithTheTokenOfAnotherTask() throws Exception {
        Job job = analysisTask();
        Job other = analysisTask();
        Path work = Files.createDirectories(dir.resolve("other-" + UUID.randomUUID()));
        git.run(work, "init", "-q").ok();
        GitCli.Run fetch = git.withToken(work, other.tokenFile(), "fetch", "-q", "--", job.url(), sha);
        assertThat(fetch.exit()).isNotZero();
        assertThat(fetch.err()).containsIgnoringCase("Authentication failed");
    }

    @Test
    void refusesAnExpiredGitToken() throws Exception {
        Job job = analysisTask();
        clock.advance(Duration.ofHours(3));
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(job.url()
                + "/info/refs?service=git-upload-pack")).header("Authorization", basic(job.token())).GET().build(),
                HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(response.body()).contains("refused");
        } finally {
            clock.advance(Duration.ofHours(-3));
        }
    }

    @Test
    void answers403WhenAReadTokenPushes() throws Exception {
        Job job = analysisTask();
        int pushesBefore = vcsPushRequests().size();
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(job.url()
            + "/info/refs?service=git-receive-pack")).header("Authorization", basic(job.token())).GET().build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(403);

        Path work = cloneAsTheJob(job, Map.of());
        Files.writeString(work.resolve("new.txt"), "x\n");
        git.run(work, "add", "-A").ok();
        git.run(work, "commit", "-q", "-m", "sneaky").ok();
        GitCli.Run push = git.withToken(work, job.tokenFile(), "push", job.url(), "HEAD:refs/heads/atlas/read");
        assertThat(push.exit()).isNotZero();
        assertThat(push.err()).contains("403");
        assertThat(vcsPushRequests()).hasSize(pushesBefore);
        assertThat(vcsRefs()).doesNotContain("atlas/read");
    }

    @Test
    void passesAFastForwardPushOfTheTasksBranchToTheVcs() throws Exception {
        Job job = patchTask("atlas/good");
        Path work = cloneAsTheJob(job, Map.of());
        Files.writeString(work.resolve("fix.txt"), "fixed\n");
        git.run(work, "add", "-A").ok();
        git.run(work, "commit", "-q", "-m", "fix").ok();
        git.withToken(work, job.tokenFile(), "push", "-q", job.url(), "HEAD:refs/heads/atlas/good").ok();
        String first = git.run(work, "rev-parse", "HEAD").ok().out().trim();
        assertThat(vcsRefs()).contains("refs/heads/atlas/good " + first);

        Files.writeString(work.resolve("fix.txt"), "fixed again\n");
        git.run(work, "commit", "-q", "-am", "fix again").ok();
        git.withToken(work, job.tokenFile(), "push", "-q", job.url(), "HEAD:refs/heads/atlas/good").ok();
        String second = git.run(work, "rev-parse", "HEAD").ok().out().trim();
        assertThat(vcsRefs()).contains("refs/heads/atlas/good " + second);
        assertThat(FakeVcsProviderFactory.GIT_ACCESSES).contains(GitAccess.WRITE);
        assertThat(FakeVcsProviderFactory.REVOKED).hasSameSizeAs(FakeVcsProviderFactory.GIT_ACCESSES);
        assertThat(atlas.metrics().scrape())
            .contains("atlas_jobs_git_requests_total{outcome=\"pushed\",service=\"git-receive-pack\"}");
    }

    @Test
    void servesJGitAsAClientTooAsThePatcherUsesIt() throws Exception {
        Job job = patchTask("atlas/jgit");
        Path work = Files.createDirectories(dir.resolve("jgit-" + UUID.randomUUID()));
        CredentialsProvider credentials =
            new UsernamePasswordCredentialsProvider("atlas", job.token());
        try (Git client = Git.init().setDirectory(work.toFile()).call()) {
            Collection<Ref> refs = Git.lsRemoteRepository()
                .setRemote(job.url()).setCredentialsProvider(credentials).call();
            assertThat(refs).extracting(Ref::getName).contains("refs/heads/main");
            client.fetch().setRemote(job.url()).setCredentialsProvider(credentials)
                .setRefSpecs("+refs/heads/main:refs/remotes/origin/main").call();
            client.checkout().setName("work").setCreateBranch(true).setStartPoint("refs/remotes/origin/main").call();
            Files.writeString(work.resolve("jgit.txt"), "from JGit\n");
            client.add().addFilepattern("jgit.txt").call();
            RevCommit commit = client.commit().setMessage("jgit").setSign(false)
                .setAuthor("Job", "job@example.com").setCommitter("Job", "job@example.com").call();
            Iterable<PushResult> pushed = client.push().setRemote(job.url())
                .setCredentialsProvider(credentials).setRefSpecs(
                    new RefSpec("refs/heads/work:refs/heads/atlas/jgit")).call();
            assertThat(pushed.iterator().next().getRemoteUpdate("refs/heads/atlas/jgit").getStatus())
                .isEqualTo(RemoteRefUpdate.Status.OK);
            assertThat(vcsRefs()).contains("refs/heads/atlas/jgit " + commit.name());
        }
    }

    @Test
    void takesACommitBranchGivenAsAFullRef() throws Exception {
        Job job = patchTask("refs/heads/atlas/full-ref");
        Path work = cloneAsTheJob(job, Map.of());
        commit(git, work, "fix.txt", "fixed\n");
        git.withToken(work, job.tokenFile(), "push", "-q", job.url(), "HEAD:refs/heads/atlas/full-ref").ok();
        assertThat(vcsRefs()).contains("refs/heads/atlas/full-ref " + git.run(work, "rev-parse", "HEAD").ok().out()
            .trim());
    }

    @Test
    void reportsThePushRejectedWhenTheVcsRefusesIt() throws Exception {
        Job job = patchTask("atlas/vcs-refuses-this");
        Path work = cloneAsTheJob(job, Map.of());
        commit(git, work, "fix.txt", "fixed\n");
        String before = vcsRefs();
        GitCli.Run push = git.withToken(work, job.tokenFile(), "push", "--porcelain", job.url(),
            "HEAD:refs/heads/atlas/vcs-refuses-this");
        assertThat(push.exit()).isNotZero();
        assertThat(push.out()).contains("[remote rejected]").contains("the VCS refused the push");
        assertThat(vcsRefs()).isEqualTo(before);
        // nor does Atlas's copy claim the branch moved
        String refs = git.withToken(work, job.tokenFile(), "ls-remote", job.url()).ok().out();
        assertThat(refs).doesNotContain("atlas/vcs-refuses-this");
        assertThat(atlas.metrics().scrape())
            .contains("atlas_jobs_git_requests_total{outcome=\"refused\",service=\"git-receive-pack\"}");
        assertThat(FakeVcsProviderFactory.GIT_ACCESSES).contains(GitAccess.WRITE);
        assertThat(FakeVcsProviderFactory.REVOKED).hasSameSizeAs(FakeVcsProviderFactory.GIT_ACCESSES);
    }

    @Test
    void answers502WhenAtlasHasNoCredentialForTheVcs() throws Exception {
        Job job = analysisTask();
        FakeVcsProviderFactory.credentialsUnreachable = true;
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(job.url()
                + "/info/refs?service=git-upload-pack")).header("Authorization", basic(job.token())).GET().build(),
                HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(502);
            assertThat(response.body()).contains("no credential for the VCS");
        } finally {
            FakeVcsProviderFactory.credentialsUnreachable = false;
        }
    }

    @Test
    void servesAGzippedUploadPackRequest() throws Exception {
        Job job = analysisTask();
        String want = "want " + sha + " ofs-delta\n";
        String request = String.format("%04x", want.length() + 4) + want + "0000" + "0009done\n";
        ByteArrayOutputStream zipped = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(zipped)) {
            gzip.write(request.getBytes(StandardCharsets.US_ASCII));
        }
        HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(URI.create(job.url() + "/git-upload-pack"))
            .header("Authorization", basic(job.token()))
            .header("Content-Type", "application/x-git-upload-pack-request").header("Content-Encoding", "gzip")
            .POST(HttpRequest.BodyPublishers.ofByteArray(zipped.toByteArray())).build(),
            HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).contains("application/x-git-upload-pack-result");
        assertThat(new String(response.body(), StandardCharsets.ISO_8859_1)).contains("PACK");
    }

    @Test
    void refusesToHandOutACommitOutsideTheTask() throws Exception {
        // a commit the VCS has on another branch, which the task's ref does not reach
        git.run(seed, "checkout", "-q", "-B", "secret-" + UUID.randomUUID(), sha).ok();
        commit(git, seed, "secret.txt", "not for this task\n");
        String secret = git.run(seed, "rev-parse", "HEAD").ok().out().trim();
        git.run(seed, "push", "-q", bare.toString(), "HEAD").ok();
        git.run(seed, "checkout", "-q", "main").ok();

        Job job = analysisTask();
        Path work = Files.createDirectories(dir.resolve("secret-" + UUID.randomUUID()));
        git.run(work, "init", "-q").ok();
        GitCli.Run fetch = git.withToken(work, job.tokenFile(), "fetch", "-q", "--", job.url(), secret);
        assertThat(fetch.exit()).isNotZero();
        assertThat(git.run(work, "cat-file", "-e", secret).exit()).isNotZero();
    }

    @Test
    void servesSmartHttpOnly() throws Exception {
        Job job = analysisTask();
        String auth = basic(job.token());
        HttpResponse<String> dumb = http.send(HttpRequest.newBuilder(URI.create(job.url() + "/info/refs"))
            .header("Authorization", auth).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(dumb.statusCode()).isEqualTo(404);
        HttpResponse<String> objects = http.send(HttpRequest.newBuilder(URI.create(job.url()
            + "/objects/info/packs")).header("Authorization", auth).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(objects.statusCode()).isEqualTo(404);
        HttpResponse<String> wrongType = http.send(HttpRequest.newBuilder(URI.create(job.url() + "/git-upload-pack"))
            .header("Authorization", auth).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("0000")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(wrongType.statusCode()).isEqualTo(400);
        HttpResponse<String> otherTask = http.send(HttpRequest.newBuilder(URI.create(
            atlasUrl("/jobs/../" + job.taskId() + "/git/info/refs?service=git-upload-pack")))
            .header("Authorization", auth).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(otherTask.statusCode()).isIn(400, 401, 404);
    }

    /** A push a hostile job might try: prepares the work tree, then names the refspec it pushes. */
    interface Attack {
        String prepare(GitCli git, Path work) throws Exception;
    }

    static Stream<Arguments> refusedPushes() {
        return Stream.of(
            Arguments.of("to another branch", null, "may push only", (Attack) (git, work) -> {
                commit(git, work, "a.txt", "a");
                return "HEAD:refs/heads/atlas/elsewhere";
            }),
            Arguments.of("to the default branch", null, "may push only", (Attack) (git, work) -> {
                commit(git, work, "a.txt", "a");
                return "HEAD:refs/heads/main";
            }),
            Arguments.of("to a tag", null, "may push only", (Attack) (git, work) -> {
                commit(git, work, "a.txt", "a");
                return "HEAD:refs/tags/v9";
            }),
            Arguments.of("that is not a fast-forward (force)", "seeded", "fast", (Attack) (git, work) -> {
                commit(git, work, "a.txt", "rewritten history");
                return "+HEAD:refs/heads/@BRANCH@";
            }),
            Arguments.of("that deletes the branch", "seeded", "delet", (Attack) (git, work) -> ":refs/heads/@BRANCH@"),
            Arguments.of("that adds a GitHub workflow", null, "CI configuration", (Attack) (git, work) -> {
                commit(git, work, ".github/workflows/x.yml", "on: push\n");
                return "HEAD:refs/heads/@BRANCH@";
            }),
            Arguments.of("that adds .gitlab-ci.yml", null, "CI configuration", (Attack) (git, work) -> {
                commit(git, work, ".gitlab-ci.yml", "job: {script: [env]}\n");
                return "HEAD:refs/heads/@BRANCH@";
            }),
            Arguments.of("that adds a workflow in upper case", null, "CI configuration", (Attack) (git, work) -> {
                commit(git, work, ".GitHub/Workflows/x.yml", "on: push\n");
                return "HEAD:refs/heads/@BRANCH@";
            }),
            Arguments.of("that adds CI configuration and removes it in a later commit", null, "CI configuration", (Attack) (git, work) -> {
                commit(git, work, ".gitlab-ci.yml", "job: {script: [env]}\n");
                git.run(work, "rm", "-q", ".gitlab-ci.yml").ok();
                git.run(work, "commit", "-q", "-m", "hide it").ok();
                return "HEAD:refs/heads/@BRANCH@";
            }),
            Arguments.of("that adds a Jenkinsfile beside a harmless file", null, "CI configuration", (Attack) (git, work) -> {
                Files.writeString(work.resolve("ok.txt"), "ok\n");
                commit(git, work, "Jenkinsfile", "pipeline {}\n");
                return "HEAD:refs/heads/@BRANCH@";
            }),
            Arguments.of("of the task's branch together with another branch", null, "may push only", (Attack) (git, work) -> {
                commit(git, work, "a.txt", "a");
                return "HEAD:refs/heads/@BRANCH@ HEAD:refs/heads/atlas/also";
            }));
    }

    private static void commit(GitCli git, Path work, String path, String content) throws Exception {
        Path file = work.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
        git.run(work, "add", "-A").ok();
        git.run(work, "commit", "-q", "-m", "change " + path).ok();
    }

    @ParameterizedTest(name = "refuses a push {0}")
    @MethodSource("refusedPushes")
    void refusesAPushAndNothingReachesTheVcs(String name, String seeded, String reason, Attack attack) throws Exception {
        String branch = "atlas/case-" + UUID.randomUUID().toString().substring(0, 8);
        if (seeded != null) {
            // the branch exists at the VCS with a commit of its own
            git.run(seed, "checkout", "-q", "-B", branch, sha).ok();
            commit(git, seed, "seeded.txt", branch);
            git.run(seed, "push", "-q", bare.toString(), branch).ok();
            git.run(seed, "checkout", "-q", "main").ok();
        }
        Job job = patchTask(branch);
        Path work = cloneAsTheJob(job, Map.of());
        String refspecs = attack.prepare(git, work).replace("@BRANCH@", branch);
        String before = vcsRefs();
        int pushesBefore = vcsPushRequests().size();

        String[] push = Stream.concat(Stream.of("push", "--porcelain", job.url()), Stream.of(refspecs.split(" ")))
            .toArray(String[]::new);
        GitCli.Run run = git.withToken(work, job.tokenFile(), push);

        assertThat(run.exit()).as(run.out() + run.err()).isNotZero();
        assertThat(run.out() + run.err()).containsIgnoringCase(reason);
        assertThat(vcsRefs()).isEqualTo(before);
        assertThat(vcsPushRequests()).hasSize(pushesBefore);
        assertThat(FakeVcsProviderFactory.GIT_ACCESSES).doesNotContain(GitAccess.WRITE);
    }
}
