package dev.atlas.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.atlas.api.Secret;
import dev.atlas.api.driver.ContainerSpec;
import dev.atlas.api.driver.JobSpec;
import dev.atlas.api.vcs.ApiCredentials;
import dev.atlas.api.vcs.ApiTarget;
import dev.atlas.api.vcs.AppSettings;
import dev.atlas.api.vcs.CloneCredential;
import dev.atlas.api.vcs.CredentialException;
import dev.atlas.api.vcs.PullRequestCall;
import dev.atlas.api.vcs.PullRequestRequest;
import dev.atlas.api.vcs.PullRequests;
import dev.atlas.api.vcs.VcsProvider;
import dev.atlas.core.http.AtlasException;
import dev.atlas.core.http.ErrorKind;
import dev.atlas.core.keys.SigningKeys;
import dev.atlas.core.tokens.Task;
import dev.atlas.core.tokens.TaskTokens;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The job each task type becomes (clone, the task's containers, report), and the tokens it carries. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JobBuilderTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CLOUD = TaskParserTest.CLOUD;
    private static final String CLONE_TOKEN = "ghs_cloneTokenValue";

    SigningKeys keys;
    JobBuilder builder;
    List<ApiTarget> targets = new ArrayList<>();
    List<PullRequestRequest> asked = new ArrayList<>();
    VcsProvider provider;

    @BeforeAll
    void setUp(@TempDir Path dir) throws Exception {
        keys = SigningKeys.open(dir, Clock.systemUTC());
        TaskTokens tokens = new TaskTokens(keys, URI.create("https://atlas.acme.example/"), URI.create(CLOUD),
            Clock.systemUTC());
        builder = new JobBuilder("alpine/git:2.47.2", "atlas:0.1.0", true, tokens, URI.create("http://atlas.internal:8080/"));
        provider = new Provider();
    }

    /** A GitHub-like provider that hands out one clone token and records what it was asked for. */
    private final class Provider implements VcsProvider, ApiCredentials, PullRequests {
        @Override
        public AppSettings app() {
            return new AppSettings("acme", "fake-main", "github", URI.create("https://vcs.example"),
                URI.create("https://vcs.example/api"), Secret.of("s"), Optional.empty(), "apps[0]");
        }

        @Override
        public Map<String, String> authHeaders(ApiTarget target) {
            return Map.of();
        }

        @Override
        public CloneCredential cloneCredential(ApiTarget target) {
            targets.add(target);
            return new CloneCredential("x-access-token", Secret.of(CLONE_TOKEN));
        }

        @Override
        public PullRequestCall pullRequestCall(PullRequestRequest request) {
            asked.add(request);
            return new PullRequestCall("POST", "/repos/" + request.repositoryPath() + "/pulls",
                "{\"title\": \"" + request.title() + "\", \"head\": \"" + request.branch() + "\"}",
                request.installationId().map(id -> Map.of("X-Installation-ID", id)).orElse(Map.of()), "/html_url",
                "/number");
        }
    }

    private JobSpec build(String json) throws Exception {
        return builder.build(TaskParserTest.PARSER.parse("t-1", json.getBytes(StandardCharsets.UTF_8)), provider);
    }

    @Test
    void runsAnAnalysisAsACloneThenItsAnalyzersInOrderThenTheReport() throws Exception {
        String json = TaskSamples.analysis(CLOUD, "").replace("\"analyzers\": [", "\"analyzers\": [{\"name\": \"Lint\","
            + " \"image\": \"first:1\", \"command\": [\"first\"]}, ");
        JobSpec job = build(json);
        assertThat(job.name()).isEqualTo("atlas-t-1");
        assertThat(job.type()).isEqualTo("analysis");
        assertThat(job.timeLimit()).isEqualTo(Duration.ofMinutes(20));
        assertThat(job.labels()).containsEntry("app.kubernetes.io/managed-by", "atlas")
            .containsEntry(JobSpec.JOB_LABEL, "true")
            .containsEntry("atlas.dev/task-id", "t-1").containsEntry("atlas.dev/type", "analysis")
            .containsEntry("atlas.dev/app", "fake-main");
        // "Lint" is no DNS label: cleaned, with a hash of the original so that "Lint" and "lint" stay apart
        assertThat(job.initContainers()).extracting(ContainerSpec::name).hasSize(3).startsWith("clone");
        assertThat(job.initContainers().get(1).name()).matches("lint-[0-9a-f]{10}");
        ContainerSpec clone = job.initContainers().get(0);
        assertThat(clone.image()).isEqualTo("alpine/git:2.47.2");
        assertThat(clone.role()).isEqualTo(ContainerSpec.Role.ATLAS);
        assertThat(clone.command()).startsWith("sh", "-c", JobBuilder.CLONE_SCRIPT, "clone")
            .endsWith("http://atlas.internal:8080/jobs/t-1/git", "main", TaskSamples.SHA);
        ContainerSpec analyzer = job.initContainers().get(2);
        assertThat(analyzer.name()).isEqualTo("lint");
        assertThat(analyzer.image()).isEqualTo("registry.example/lint:1");
        assertThat(analyzer.command()).containsExactly("lint", "--all");
        assertThat(analyzer.resources().cpu()).isEqualTo("500m");
        assertThat(analyzer.resources().memory()).isEqualTo("256Mi");
        assertThat(job.main().name()).isEqualTo("report");
        assertThat(job.main().image()).isEqualTo("atlas:0.1.0");
        assertThat(job.main().command()).containsExactly("sh", "-c", JobBuilder.REPORT_SCRIPT);
        assertThat(job.main().role()).isEqualTo(ContainerSpec.Role.ATLAS);
        assertThat(job.main().env()).containsEntry("ATLAS_JOB_URL", "http://atlas.internal:8080/jobs/t-1");
        assertThat(job.taskFiles()).containsOnlyKeys("task.json");
        assertThat(JSON.readTree(job.taskFiles().get("task.json")).get("taskId").asText()).isEqualTo("t-1");
        assertThat(job.secretFiles()).containsOnlyKeys("clone-token", "clone-username", "result-token");
    }

    @Test
    void givesTheTasksOwnContainersNoSecretNoTokenAndNoWayToAtlasCredentials() throws Exception {
        for (JobSpec job : List.of(build(TaskSamples.analysis(CLOUD, "")), build(transformer()))) {
            List<ContainerSpec> task = job.initContainers().stream()
                .filter(c -> !c.name().equals("clone")).toList();
            assertThat(task).isNotEmpty().allSatisfy(c -> {
                assertThat(c.role()).isEqualTo(ContainerSpec.Role.TASK);
                assertThat(c.seesSecrets()).isFalse();
                assertThat(c.env()).doesNotContainKeys("ATLAS_JOB_URL", JobSpec.SECRETS_DIR_ENV);
            });
            assertThat(job.initContainers().get(0).seesSecrets()).isTrue();
            assertThat(job.main().seesSecrets()).isTrue();
        }
    }

    @Test
    void asksTheVcsPluginForNoCredentialAndPutsNoVcsCredentialIntoTheJob() throws Exception {
        JobSpec job = build(TaskSamples.patch(CLOUD));
        assertThat(targets).isEmpty();
        assertThat(job.secretFiles().values()).noneMatch(secret -> secret.reveal().contains(CLONE_TOKEN));
        assertThat(job.secretFiles().get("clone-username").reveal()).isEqualTo(JobBuilder.GIT_USER);
    }

    @Test
    void pointsTheJobsTaskJsonAtTheTasksGitEndpointInsteadOfTheVcs() throws Exception {
        for (JobSpec job : List.of(build(TaskSamples.analysis(CLOUD, "")), build(TaskSamples.patch(CLOUD)))) {
            String document = new String(job.taskFiles().get("task.json"), StandardCharsets.UTF_8);
            assertThat(JSON.readTree(document).at("/repository/cloneUrl").asText())
                .isEqualTo("http://atlas.internal:8080/jobs/t-1/git");
            assertThat(document).doesNotContain("vcs.example/acme/widgets.git");
        }
    }

    @Test
    void signsAGitTokenForTheTasksOneRepositoryReadOnlyUnlessTheTaskPushes() throws Exception {
        TaskTokens tokens = new TaskTokens(keys, URI.create("https://atlas.acme.example"), URI.create(CLOUD),
            Clock.systemUTC());
        TaskTokens.GitGrant read = tokens.verifyGitToken(build(TaskSamples.analysis(CLOUD, "")).secretFiles()
            .get("clone-token").reveal(), "t-1");
        assertThat(read.push()).isFalse();
        assertThat(read.branch()).isEmpty();
        assertThat(read.cloneUrl()).isEqualTo(URI.create("https://vcs.example/acme/widgets.git"));
        assertThat(read.repository()).isEqualTo("acme/widgets");
        assertThat(read.sha()).isEqualTo(TaskSamples.SHA);
        TaskTokens.GitGrant push = tokens.verifyGitToken(build(TaskSamples.patch(CLOUD)).secretFiles()
            .get("clone-token").reveal(), "t-1");
        assertThat(push.push()).isTrue();
        assertThat(push.branch()).contains("atlas/fix-1");
    }

    @Test
    void neverPutsASecretIntoACommandOrAnEnvironmentValue() throws Exception {
        for (JobSpec job : List.of(build(TaskSamples.analysis(CLOUD, "")), build(TaskSamples.patch(CLOUD)))) {
            List<ContainerSpec> all = new ArrayList<>(job.initContainers());
            all.add(job.main());
            for (Secret secret : job.secretFiles().values()) {
                if (secret.reveal().equals(JobBuilder.GIT_USER)) {
                    continue; // the user name is not secret; it is a file only to keep one way of reading it
                }
                for (ContainerSpec container : all) {
                    assertThat(String.join(" ", container.command())).doesNotContain(secret.reveal());
                    assertThat(container.env().values()).noneMatch(v -> v.contains(secret.reveal()));
                }
                assertThat(new String(job.taskFiles().get("task.json"), StandardCharsets.UTF_8))
                    .doesNotContain(secret.reveal());
            }
        }
    }

    @Test
    void signsAResultTokenForTheTaskAndTheCloudOnly() throws Exception {
        JobSpec job = build(TaskSamples.analysis(CLOUD, ""));
        String token = job.secretFiles().get("result-token").reveal();
        SignedJWT jwt = SignedJWT.parse(token);
        assertThat(jwt.getHeader().getType().getType()).isEqualTo("atlas-result+jwt");
        assertThat(jwt.getHeader().getKeyID()).isEqualTo(keys.signingKeyId());
        JWTClaimsSet claims = keys.verify(token, TaskTokens.RESULT_TYPE, keys.claimsVerifier(
            "https://atlas.acme.example", Set.of(CLOUD), Set.of("sub", "scope", "jti")));
        assertThat(claims.getSubject()).isEqualTo("t-1");
        assertThat(claims.getStringClaim("scope")).isEqualTo("result:analysis");
        assertThat(claims.getStringClaim("task_type")).isEqualTo("analysis");
        assertThat(claims.getExpirationTime().toInstant()).isBetween(
            claims.getIssueTime().toInstant().plus(Duration.ofMinutes(20)),
            claims.getIssueTime().toInstant().plus(Duration.ofMinutes(31)));
    }

    @Test
    void runsAPatchWithTheAtlasImageThePatchAsAFileAndAProxyTokenForThePullRequest() throws Exception {
        JobSpec job = build(TaskSamples.patch(CLOUD));
        assertThat(job.initContainers()).isEmpty();
        assertThat(job.main().image()).isEqualTo("atlas:0.1.0");
        assertThat(job.main().command()).containsExactly("sh", "-c", JobBuilder.PATCH_SCRIPT);
        assertThat(job.main().role()).isEqualTo(ContainerSpec.Role.ATLAS);
        assertThat(new String(job.taskFiles().get("patch.diff"), StandardCharsets.UTF_8)).startsWith("--- a/x\n");
        assertThat(job.secretFiles()).containsKeys("clone-token", "result-token", "proxy-token");
        TaskTokens.ProxyGrant grant = new TaskTokens(keys, URI.create("https://atlas.acme.example"),
            URI.create(CLOUD), Clock.systemUTC()).verifyProxyToken(job.secretFiles().get("proxy-token").reveal());
        assertThat(grant).isEqualTo(new TaskTokens.ProxyGrant("t-1", "fake-main", "github", "acme/widgets", "POST",
            "/repos/acme/widgets/pulls"));
        assertThat(JSON.readTree(job.taskFiles().get("task.json")).get("proxyUrl").asText())
            .isEqualTo("http://atlas.internal:8080");
    }

    /** A provider that cannot open pull requests. */
    private static final class NoPullRequests implements VcsProvider {
        @Override
        public AppSettings app() {
            return new AppSettings("acme", "fake-main", "other", URI.create("https://vcs.example"),
                URI.create("https://vcs.example/api"), Secret.of("s"), Optional.empty(), "apps[0]");
        }
    }

    @Test
    void writesThePluginsPullRequestCallIntoTaskJsonAndItsMethodAndPathIntoTheProxyToken() throws Exception {
        asked.clear();
        String sample = TaskSamples.patch(CLOUD).replace("\"patch\": \"",
            "\"installationId\": \"99\", \"pullRequestCall\": {\"path\": \"/evil\"}, \"patch\": \"");
        JobSpec job = builder.build(TaskParserTest.PARSER.parse("t-1", sample.getBytes(StandardCharsets.UTF_8)),
            provider);

        assertThat(asked).containsExactly(new PullRequestRequest("acme/widgets", Optional.of("99"), "atlas/fix-1",
            "main", "Fix it", ""));
        assertThat(JSON.readTree(job.taskFiles().get("task.json")).get("pullRequestCall")).isEqualTo(JSON.readTree("""
            {"method": "POST", "path": "/repos/acme/widgets/pulls", "body": {"title": "Fix it", "head": "atlas/fix-1"},
             "headers": {"X-Installation-ID": "99"}, "urlPointer": "/html_url", "numberPointer": "/number"}
            """));
        TaskTokens.ProxyGrant grant = new TaskTokens(keys, URI.create("https://atlas.acme.example"),
            URI.create(CLOUD), Clock.systemUTC()).verifyProxyToken(job.secretFiles().get("proxy-token").reveal());
        assertThat(grant.method()).isEqualTo("POST");
        assertThat(grant.path()).isEqualTo("/repos/acme/widgets/pulls");
    }

    @Test
    void asksNoPullRequestCallWithoutAPullRequest() throws Exception {
        asked.clear();
        JobSpec job = build(TaskSamples.analysis(CLOUD, ""));

        assertThat(asked).isEmpty();
        assertThat(JSON.readTree(job.taskFiles().get("task.json")).has("pullRequestCall")).isFalse();
        assertThat(job.secretFiles()).doesNotContainKey("proxy-token");
    }

    @Test
    void refusesAPullRequestTheAppsPluginCannotOpenNamingPullRequest() {
        Task task = TaskParserTest.PARSER.parse("t-1", TaskSamples.patch(CLOUD).getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> builder.build(task, new NoPullRequests()))
            .isInstanceOfSatisfying(AtlasException.class, e -> {
                assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_REQUEST);
                assertThat(e.getMessage()).startsWith("pullRequest:");
            });
        assertThatThrownBy(() -> PullRequestCalls.requireCapability(task, new NoPullRequests()))
            .isInstanceOf(AtlasException.class);
    }

    @Test
    void refusesAPluginBodyThatIsNotAJsonObject() {
        assertThatThrownBy(() -> PullRequestCalls.toJson(new PullRequestCall("POST", "/x", "[1]", Map.of(), "/a", "/b")))
            .isInstanceOf(CredentialException.class);
    }

    @Test
    void runsAnAutofixerAndATransformerBetweenTheCloneAndTheReport() throws Exception {
        JobSpec job = build(autofix());
        assertThat(job.initContainers()).extracting(ContainerSpec::name).containsExactly("clone", "lint");
        assertThat(job.initContainers().get(1).command()).containsExactly("lint", "--all");
        assertThat(job.main().name()).isEqualTo("report");
        JobSpec transformer = build(transformer());
        assertThat(transformer.initContainers()).extracting(ContainerSpec::name).containsExactly("clone", "lint");
        assertThat(transformer.main().name()).isEqualTo("report");
        assertThat(transformer.secretFiles()).doesNotContainKey("proxy-token");
        assertThat(JSON.readTree(transformer.taskFiles().get("task.json")).at("/push/branchPrefix").asText())
            .isEqualTo("atlas/");
    }

    private static String autofix() {
        return TaskSamples.analysis(CLOUD, "").replace("\"type\": \"analysis\"", "\"type\": \"autofix\"")
            .replace("\"analyzers\": [", "\"autofixer\": ").replace("}]", "}");
    }

    private static String transformer() {
        return autofix().replace("\"type\": \"autofix\"", "\"type\": \"transformer\"")
            .replace("\"autofixer\": ", "\"commit\": {\"branch\": \"atlas/b\", \"message\": \"m\", \"author\": "
                + "{\"name\": \"n\", \"email\": \"e@x.y\"}}, \"transformer\": ");
    }
}
