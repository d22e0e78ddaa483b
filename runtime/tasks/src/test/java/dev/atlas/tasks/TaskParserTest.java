package dev.atlas.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atlas.api.Secret;
import dev.atlas.api.vcs.AppSettings;
import dev.atlas.core.config.AtlasConfig;
import dev.atlas.core.http.AtlasException;
import dev.atlas.core.http.ErrorKind;
import dev.atlas.core.tokens.Task;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TaskParserTest {
    static final String CLOUD = "https://asgard.example";
    static final TaskParser PARSER = new TaskParser(
        Map.of("fake-main", new AppSettings("acme", "fake-main", "github", URI.create("https://vcs.example"),
            URI.create("https://vcs.example/api"), Secret.of("s"), Optional.empty(), "installations[0].apps[0]")),
        URI.create(CLOUD), Duration.ofMinutes(20), new AtlasConfig.TaskResources("500m", "512Mi", "2", "4Gi"),
        URI.create("http://atlas.internal:8080"), new AtlasConfig.Push("atlas/", List.of(".github/workflows/lint.yml")));

    private static Task parse(String json) {
        return PARSER.parse("t-1", json.getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource(delimiter = '|', textBlock = """
        "cpu": "500m" | "cpu": "lots" | analyzers[0].cpu: not a Kubernetes quantity
        "memory": "256Mi" | "memory": "12Qi" | analyzers[0].memory: not a Kubernetes quantity
        "memory": "256Mi" | "memory": "5Gi" | analyzers[0].memory: over the maximum of 4Gi (tasks.resources.maxMemory)
        "cpu": "500m" | "cpu": "3" | analyzers[0].cpu: over the maximum of 2 (tasks.resources.maxCpu)
        "cpu": "500m" | "cpu": "0.5m" | analyzers[0].cpu: not a Kubernetes quantity
        "image": "registry.example/lint:1" | "image": "bad image" | analyzers[0].image: not a container image reference
        "command": ["lint", "--all"] | "command": [] | analyzers[0].command: must hold 1 to 256 strings
        "command": ["lint", "--all"] | "command": "lint" | analyzers[0].command: must be an array of strings
        "name": "lint", | '' | analyzers[0].name: is required
        "sha": "0123456789abcdef0123456789abcdef01234567" | "sha": "abc" | repository.sha: must be a 40-character hex commit id
        "ref": "main" | "ref": "--upload-pack=x" | repository.ref: not a valid git ref name
        "ref": "main" | "ref": "a..b" | repository.ref: not a valid git ref name
        "cloneUrl": "https://vcs.example/acme/widgets.git" | "cloneUrl": "https://evil.example/a/b.git" | repository.cloneUrl: must be on the app's web URL https://vcs.example (the clone token is sent there)
        "cloneUrl": "https://vcs.example/acme/widgets.git" | "cloneUrl": "http://vcs.example/a/b.git" | repository.cloneUrl: must be on the app's web URL https://vcs.example (the clone token is sent there)
        "cloneUrl": "https://vcs.example/acme/widgets.git" | "cloneUrl": "https://u:p@vcs.example/a/b" | repository.cloneUrl: must not carry credentials, a query or a fragment
        "cloneUrl": "https://vcs.example/acme/widgets.git" | "cloneUrl": "https://vcs.example/widgets" | repository.cloneUrl: must name a repository as /owner/repo
        "resultUrl": "https://asgard.example/results/t" | "resultUrl": "https://evil.example/r" | resultUrl: must be on the cloud's origin https://asgard.example
        "resultUrl": "https://asgard.example/results/t" | "resultUrl": "https://asgard.example:8443/r" | resultUrl: must be on the cloud's origin https://asgard.example
        "resultUrl": "https://asgard.example/results/t" | "resultUrl": "http://asgard.example/r" | resultUrl: must be on the cloud's origin https://asgard.example
        "installationId": 42 | "installationId": {"id": 1} | installationId: must be a string of letters, digits, '_' or '-', or a number
        "installationId": 42 | "installationId": 42, "timeLimitSeconds": 0 | timeLimitSeconds: must be at least 1
        "installationId": 42 | "installationId": 42, "timeLimitSeconds": 1.5 | timeLimitSeconds: must be a whole number
        "type": "analysis" | "type": "rocket" | type: must be one of analysis, autofix, transformer, patch, cancel
        "type": "analysis" | "type": "analysis", "taskId": "t-2" | taskId: differs from the task id in the path
        "type": "analysis" | "type": "analysis", "type": "patch" | body: not valid JSON (a field appears twice)
        "type": "analysis" | "type": "analysis", "payload": 3 | payload: must be an object
        """)
    void refusesAnInvalidFieldNamingIt(String valid, String broken, String message) {
        String json = analysis().replace(valid, broken);
        assertThat(json).isNotEqualTo(analysis());
        assertThatThrownBy(() -> parse(json)).isInstanceOfSatisfying(AtlasException.class, e -> {
            assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_REQUEST);
            assertThat(e.getMessage()).isEqualTo(message);
        });
    }

    @Test
    void answersNotFoundForAnUnknownApp() {
        assertThatThrownBy(() -> parse(analysis().replace("fake-main", "other")))
            .isInstanceOfSatisfying(AtlasException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.NOT_FOUND));
    }

    @Test
    void keepsUnknownFieldsUnderPayloadAndAddsTaskIdVcsAndTheEffectiveTimeLimit() {
        Task task = parse(analysis().replace("\"type\": \"analysis\"",
            "\"type\": \"analysis\", \"extra\": {\"a\": [1, 2]}, \"payload\": {\"mine\": true}, \"timeLimitSeconds\": 99999"));
        JsonNode document = task.document();
        assertThat(document.get("taskId").asText()).isEqualTo("t-1");
        assertThat(document.get("vcs").asText()).isEqualTo("github");
        assertThat(document.has("extra")).isFalse();
        assertThat(document.get("payload").get("extra").get("a").toString()).isEqualTo("[1,2]");
        assertThat(document.get("payload").get("mine").asBoolean()).isTrue();
        assertThat(task.timeLimit()).isEqualTo(Duration.ofMinutes(20));
        assertThat(document.get("timeLimitSeconds").asLong()).isEqualTo(1200);
        assertThat(task.installationId()).hasValue("42");
        assertThat(task.repository().orElseThrow().owner()).isEqualTo("acme");
        assertThat(task.repository().orElseThrow().name()).isEqualTo("widgets");
    }

    @Test
    void takesThePatchOutOfTaskJsonAndAddsTheProxyUrlWhenAPullRequestIsWanted() {
        Task task = parse(TaskSamples.patch(CLOUD).replace("acme/widgets.git", "acme/widgets"));
        assertThat(task.body()).isInstanceOf(Task.Patch.class);
        assertThat(((Task.Patch) task.body()).diff()).startsWith("--- a/x");
        assertThat(task.document().has("patch")).isFalse();
        assertThat(task.document().get("proxyUrl").asText()).isEqualTo("http://atlas.internal:8080");
    }

    @Test
    void defaultsResourcesAndAcceptsACancelWithoutRepository() {
        Task analysis = parse(analysis().replaceAll(",\\s*\"cpu\": \"500m\", \"memory\": \"256Mi\"", ""));
        Task.Step step = ((Task.Analysis) analysis.body()).analyzers().get(0);
        assertThat(step.cpu()).isEqualTo("500m");
        assertThat(step.memory()).isEqualTo("512Mi");
        Task cancel = parse("{\"type\": \"cancel\", \"appId\": \"fake-main\", \"targetTaskId\": \"t-0\"}");
        assertThat(cancel.body()).isEqualTo(new Task.Cancel("t-0"));
    }

    private static String analysis() {
        return TaskSamples.analysis(CLOUD, "");
    }

    @ParameterizedTest(name = "commit.branch {0} is refused")
    @CsvSource({"main", "master", "fix", "atlas", "refs/heads/main", "atlasfix", "ATLAS/fix", "x/atlas/fix"})
    void refusesAPushOutsideTheBranchPrefixForPatchesAndTransformers(String branch) {
        String patch = TaskSamples.patch(CLOUD).replace("atlas/fix-1", branch);
        String transformer = TaskSamples.patch(CLOUD).replace("\"type\": \"patch\"", "\"type\": \"transformer\"")
            .replace("\"patch\": \"--- a/x\\n+++ b/x\\n@@ -1 +1 @@\\n-a\\n+b\\n\",",
                "\"transformer\": {\"image\": \"t:1\", \"command\": [\"t\"]},")
            .replace(",\n     \"pullRequest\": {\"title\": \"Fix it\"}", "").replace("atlas/fix-1", branch);
        for (String json : List.of(patch, transformer)) {
            assertThatThrownBy(() -> parse(json)).isInstanceOf(AtlasException.class)
                .hasMessage("commit.branch: must be a branch under atlas/ (tasks.push.branchPrefix)");
        }
    }

    @Test
    void acceptsABranchUnderThePrefixAndHandsThePushRulesToTheJob() {
        Task task = parse(TaskSamples.patch(CLOUD).replace("atlas/fix-1", "refs/heads/atlas/fix-2"));
        assertThat(task.document().at("/push/branchPrefix").asText()).isEqualTo("atlas/");
        assertThat(task.document().at("/push/allowPaths/0").asText()).isEqualTo(".github/workflows/lint.yml");
        assertThat(parse(TaskSamples.analysis(CLOUD, "")).document().has("push")).isFalse();
    }
}
