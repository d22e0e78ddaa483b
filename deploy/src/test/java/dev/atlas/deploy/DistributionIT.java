package dev.atlas.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The distribution's launcher as a user meets it: check, run, stop, demo, usage errors. */
class DistributionIT {
    @TempDir
    Path dir;

    @Test
    void checkLoadsEveryShippedPluginThroughTheRealPluginManager() throws Exception {
        Path config = Distribution.githubConfig(dir, 8080, "https://asgard.example", "s3cret");
        Distribution.Result result = Distribution.run(Map.of(), "check", "--config", config.toString());
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("vcs-github", "vcs-gitlab", "vcs-bitbucket", "driver-local",
            "driver-kubernetes", "driver-nomad");
    }

    @Test
    void checkAcceptsTheCommentedExampleConfig() throws Exception {
        Path example = dir.resolve("atlas.yaml");
        Files.copy(Distribution.HOME.resolve("atlas.example.yaml"), example);
        Map<String, String> env = Map.of("ATLAS_CLOUD_SECRET", "whsec_c2VjcmV0", "ATLAS_CLOUD_JWT_SECRET",
            "an-hs256-key-of-at-least-thirty-two-bytes", "GH_WEBHOOK_SECRET", "hook", "GH_APP_PRIVATE_KEY",
            Distribution.rsaPem(), "GH_OAUTH_SECRET", "oauth", "ATLAS_OAUTH_CLIENT_SECRET", "client-secret");
        Distribution.Result result = Distribution.run(env, "check", "--config", example.toString());
        assertThat(result.exitCode()).as(result.output()).isZero();
    }

    @Test
    void checkAcceptsTheConfigShapeOfTheSpecWithFlowMappingsAndMissingOverrideFolders() throws Exception {
        // SPEC §3's example as written there: flow mappings holding bare secret references, a plugins.dir and a
        // routes.dir that do not exist (nothing extra), the kubernetes driver and a rabbitmq connection
        Files.writeString(dir.resolve("gh.pem"), Distribution.rsaPem());
        Path config = dir.resolve("atlas.yaml");
        Files.writeString(config, """
            runner:
              id: acme-runner
              publicUrl: https://atlas.acme.example
              cloudSecret: ${env:ATLAS_CLOUD_SECRET}
            server: { port: 8080, maxBodyBytes: 26214400 }
            shutdown: { timeout: 30s }
            cloud:
              url: https://asgard.example
              auth:
                hmacSecret: ${env:ATLAS_CLOUD_JWT_SECRET}
                audience: acme-runner
            installations:
              - id: acme
                apps:
                  - id: gh-main
                    vcs: github
                    webUrl: https://github.com
                    apiUrl: https://api.github.com
                    webhookSecret: ${env:GH_WEBHOOK_SECRET}
                    github: { appId: "12345", privateKey: ${file:gh.pem} }
                    oauth: { clientId: Iv1.abc, clientSecret: ${env:GH_OAUTH_SECRET} }
                  - id: gl-main
                    vcs: gitlab
                    webUrl: https://gitlab.acme.example
                    apiUrl: https://gitlab.acme.example/api/v4
                    webhookSecret: ${env:GL_WEBHOOK_SECRET}
                    gitlab: { token: ${env:GL_TOKEN} }
            rabbitmq: { uri: amqp://guest:guest@127.0.0.1:5672/ }
            webhooks: { spool: file, spoolDir: data/spool, maxAttempts: 20, maxAge: 24h, maxBackoff: 5m }
            tasks:
              driver: kubernetes
              kubernetes: { namespace: atlas-jobs, ttlSecondsAfterFinished: 3600, activeDeadlineSeconds: 1800 }
              nomad: { address: http://127.0.0.1:4646, token: ${env:NOMAD_TOKEN} }
              rabbitmq: { enabled: false, queue: atlas.tasks }
            auth:
              clients:
                - { id: asgard, secret: ${env:ATLAS_OAUTH_CLIENT_SECRET}, redirectUris: [https://asgard.example/auth/callback] }
              signingKeys: data/keys
            routes: { dir: routes-not-there }
            plugins: { dir: plugins-not-there }
            """);
        Map<String, String> env = Map.of("ATLAS_CLOUD_SECRET", "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQ=",
            "ATLAS_CLOUD_JWT_SECRET", "an-hs256-key-of-at-least-thirty-two-bytes", "GH_WEBHOOK_SECRET", "h",
            "GH_OAUTH_SECRET", "o", "GL_WEBHOOK_SECRET", "g", "GL_TOKEN", "t", "NOMAD_TOKEN", "n",
            "ATLAS_OAUTH_CLIENT_SECRET", "c");
        Distribution.Result result = Distribution.run(env, "check", "--config", config.toString());
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("2 app(s) [gh-main, gl-main], driver kubernetes");
    }

    @Test
    void checkListsEveryMistakeWithItsKeyAndExits2() throws Exception {
        Path config = Distribution.githubConfig(dir, 8080, "https://asgard.example", "s3cret");
        String broken = Files.readString(config)
            .replace("id: dist-runner", "id: Not_Valid")
            .replace("url: https://asgard.example", "url: ftp://asgard.example")
            .replace("appId: \"12345\"", "appId: \"\"")
            .replace("driver: local", "driver: mainframe")
            + "installations2: []\n";
        Files.writeString(config, broken);
        Distribution.Result result = Distribution.run(Map.of(), "check", "--config", config.toString());
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.output()).contains("runner.id:", "cloud.url:", "installations[0].apps[0].github.appId:",
            "tasks.driver:", "installations2: unknown key");
    }

    @Test
    void policyTestAnswersAllowedOrDeniedOnTheShippedGithubPolicy() throws Exception {
        Path config = Distribution.githubConfig(dir, 8080, "https://asgard.example", "s3cret");
        Distribution.Result allowed = Distribution.run(Map.of(), "policy", "test", "--config", config.toString(),
            "--app", "gh-main", "--rest", "GET /repos/acme/api/pulls/7", "--accept", "application/vnd.github+json");
        assertThat(allowed.exitCode()).as(allowed.output()).isZero();
        assertThat(allowed.output()).startsWith("allowed");
        Distribution.Result diff = Distribution.run(Map.of(), "policy", "test", "--config", config.toString(),
            "--app", "gh-main", "--rest", "GET /repos/acme/api/pulls/7", "--accept", "application/vnd.github.diff");
        assertThat(diff.exitCode()).isEqualTo(1);
        assertThat(diff.output()).startsWith("denied: ");
        Path query = dir.resolve("blob.graphql");
        Files.writeString(query, "query { node(id: \"x\") { ... on Blob { text } } }");
        Distribution.Result blob = Distribution.run(Map.of(), "policy", "test", "--config", config.toString(),
            "--app", "gh-main", "--graphql", query.toString());
        assertThat(blob.exitCode()).isEqualTo(1);
        assertThat(blob.output()).startsWith("denied: ");
    }

    @Test
    void policyTestChecksTheBodyOfAWrite() throws Exception {
        Path config = Distribution.githubConfig(dir, 8080, "https://asgard.example", "s3cret");
        Path ok = dir.resolve("pull.json");
        Files.writeString(ok, "{\"title\": \"t\", \"head\": \"atlas/fix\", \"base\": \"main\"}");
        Distribution.Result allowed = Distribution.run(Map.of(), "policy", "test", "--config", config.toString(),
            "--app", "gh-main", "--rest", "POST /repos/acme/api/pulls", "--body", ok.toString());
        assertThat(allowed.exitCode()).as(allowed.output()).isZero();
        Path fork = dir.resolve("fork.json");
        Files.writeString(fork, "{\"title\": \"t\", \"head\": \"x\", \"base\": \"main\", \"head_repo\": \"evil/fork\"}");
        Distribution.Result denied = Distribution.run(Map.of(), "policy", "test", "--config", config.toString(),
            "--app", "gh-main", "--rest", "POST /repos/acme/api/pulls", "--body", fork.toString());
        assertThat(denied.exitCode()).isEqualTo(1);
        assertThat(denied.output()).startsWith("denied: ").contains("head_repo");
        Distribution.Result form = Distribution.run(Map.of(), "policy", "test", "--config", config.toString(),
            "--app", "gh-main", "--rest", "POST /repos/acme/api/pulls", "--body", ok.toString(), "--content-type",
            "application/x-www-form-urlencoded");
        assertThat(form.exitCode()).isEqualTo(1);
    }

    @Test
    void unknownCommandPrintsUsageAndExits2() {
        Distribution.Result result = Distribution.run(Map.of(), "frobnicate");
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.output()).contains("Usage: atlas");
    }

    @Test
    void everyCommandHasHelp() {
        for (String command : new String[] {"run", "check", "demo", "webhooks", "patch", "policy", "keys"}) {
            Distribution.Result result = Distribution.run(Map.of(), command, "--help");
            assertThat(result.exitCode()).as(command).isZero();
            assertThat(result.output()).contains("Usage: atlas " + command);
        }
    }

    @Test
    void runServesUntilSigtermThenStopsGracefullyWithExit0() throws Exception {
        int port = Distribution.freePort();
        Path config = Distribution.githubConfig(dir, port, "https://asgard.example", "s3cret");
        Process atlas = Distribution.start(Map.of(), "run", "--config", config.toString());
        try {
            await().atMost(Duration.ofSeconds(60))
                .until(() -> Distribution.status("http://127.0.0.1:" + port + "/health/ready") == 200);
            atlas.destroy(); // SIGTERM
            assertThat(atlas.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(atlas.exitValue()).as(Distribution.output(atlas)).isZero();
            assertThat(Distribution.output(atlas)).contains("stopping: readiness is DOWN");
        } finally {
            atlas.destroyForcibly();
        }
    }

    @Test
    void aCopiedDistributionStartsWithoutTheBuildsArchiveUntilAtlasCdsArchiveMakesOneForItsFolder() throws Exception {
        Map<String, String> classLoading = Map.of("JAVA_OPTS", "-XX:+PrintCommandLineFlags -Xlog:class+load=info");
        String fromArchive = "source: shared objects file (top)";
        assertThat(Distribution.run(classLoading, "--version").output()).as("the build's folder").contains(fromArchive);

        Path copy = Distribution.copyWhole(dir.resolve("moved/atlas"));
        Distribution.Result stale = Distribution.runFrom(copy, classLoading, "--version");
        assertThat(stale.exitCode()).isZero();
        assertThat(stale.output()).as("the build's archive names the build's jars: not even mapped")
            .doesNotContain(fromArchive).doesNotContain("SharedArchiveFile");

        // a demo that cannot run (no java where JAVA_HOME points) makes no archive: exit 1, its output shown, and
        // nothing left that bin/atlas would take for this folder's archive
        ProcessBuilder broken = new ProcessBuilder(copy.resolve("bin/atlas-cds-archive").toString())
            .redirectErrorStream(true);
        broken.environment().put("JAVA_HOME", dir.resolve("no-jdk").toString());
        Process failing = broken.start();
        String failed = new String(failing.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(failing.waitFor(1, TimeUnit.MINUTES)).isTrue();
        assertThat(failing.exitValue()).as(failed).isEqualTo(1);
        assertThat(failed).contains("no archive was made").contains("no-jdk/bin/java");
        assertThat(copy.resolve("lib/atlas.jsa")).doesNotExist();
        assertThat(copy.resolve("lib/atlas.jsa.home")).doesNotExist();

        Process make = new ProcessBuilder(copy.resolve("bin/atlas-cds-archive").toString()).redirectErrorStream(true)
            .start();
        String made = new String(make.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(make.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(make.exitValue()).as(made).isZero();
        assertThat(made).contains("made " + copy.resolve("lib/atlas.jsa"));
        assertThat(Files.readString(copy.resolve("lib/atlas.jsa.home")).strip())
            .isEqualTo(copy.resolve("lib").toString());
        assertThat(Distribution.runFrom(copy, classLoading, "--version").output()).contains(fromArchive);
        Map<String, String> homeWithSlash = new java.util.HashMap<>(classLoading);
        homeWithSlash.put("ATLAS_HOME", copy + "/");
        assertThat(Distribution.runFrom(copy, homeWithSlash, "--version").output()).as("ATLAS_HOME ending in /")
            .contains(fromArchive);
        assertThat(Distribution.run(classLoading, "--version").output()).as("the build's own still serves it")
            .contains(fromArchive);
    }

    @Test
    void printsTheVersionTheBuildStampedWhichTheChartCarries() throws Exception {
        Distribution.Result result = Distribution.run(Map.of(), "--version");
        assertThat(result.exitCode()).isZero();
        String version = result.output().lines().filter(l -> l.startsWith("atlas ")).findFirst().orElseThrow()
            .substring("atlas ".length()).trim();
        assertThat(version).matches("\\d+\\.\\d+\\.\\d+.*").isNotEqualTo("dev");
        assertThat(java.nio.file.Files.readString(HelmChart.CHART.resolve("Chart.yaml")))
            .contains("appVersion: \"" + version.replace("-SNAPSHOT", "") + "\"");
    }

    @Test
    void demoStartsAReadyGatewayAndStopsOnSigint() throws Exception {
        int port = Distribution.freePort();
        Process demo = Distribution.start(Map.of(), "demo", "--port", String.valueOf(port), "--dir",
            dir.resolve("demo").toString());
        try {
            await().atMost(Duration.ofSeconds(60))
                .until(() -> Distribution.status("http://127.0.0.1:" + port + "/health/ready") == 200);
            await().atMost(Duration.ofSeconds(30)).until(() -> Distribution.output(demo).contains("Press Ctrl-C"));
            assertThat(Distribution.output(demo)).contains("http://127.0.0.1:" + port + "/health/ready")
                .contains("Atlas answered 202").contains("identical to what was sent: true")
                .contains("x-atlas-signature-256: sha256=");
            // the promise: a Blob { text } query is refused with its reason and never reaches the VCS
            String output = Distribution.output(demo);
            String allowed = output.substring(output.indexOf("sample proxy call (allowed)"));
            String denied = output.substring(output.indexOf("sample proxy call (denied)"));
            assertThat(allowed).contains("Atlas answered 200")
                .contains("the sample VCS received: POST /github/api/graphql");
            assertThat(denied).contains("Blob { text }").contains("Atlas answered 403 {\"error\":\"policy_denied\"")
                .contains("the sample VCS received: nothing");
            new ProcessBuilder("kill", "-INT", String.valueOf(demo.pid())).start().waitFor();
            assertThat(demo.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(demo.exitValue()).as(Distribution.output(demo)).isZero();
        } finally {
            demo.destroyForcibly();
        }
    }
}
