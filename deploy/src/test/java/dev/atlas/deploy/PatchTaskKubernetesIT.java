package dev.atlas.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A patch task through {@code bin/atlas run} on the Kubernetes driver, against fabric8's mock API server in CRUD mode:
 * the Job runs {@code atlas patch} from the Atlas image with the task files and Atlas's per-task tokens mounted, never
 * inline, and no VCS credential anywhere (SPEC §6: the job clones and pushes through Atlas's git endpoint).
 */
@EnableKubernetesMockClient(crud = true, https = false)
class PatchTaskKubernetesIT {
    static KubernetesMockServer server;
    static KubernetesClient client;

    @TempDir
    Path dir;

    @Test
    void patchTaskBecomesAJobRunningAtlasPatchWithItsFilesAndSecretsMounted() throws Exception {
        HttpServer github = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        github.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            byte[] body = ("{\"token\":\"ghs_k8s_token\",\"expires_at\":\"" + Instant.now().plusSeconds(3600) + "\"}")
                .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(201, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        github.start();
        int port = Distribution.freePort();
        Path config = Distribution.githubConfig(dir, port, "https://asgard.example", "hook");
        String masterUrl = client.getConfiguration().getMasterUrl();
        Files.writeString(config, Files.readString(config)
            .replace("apiUrl: https://github.example/api/v3", "apiUrl: http://127.0.0.1:" + github.getAddress().getPort()
                + "/api/v3")
            .replace("appId: \"12345\"", "appId: \"12345\"\n          installationId: \"99\"")
            .replace("  driver: local", """
                  driver: kubernetes
                  jobImage: registry.acme.example/atlas:0.1.0
                  kubernetes:
                    namespace: atlas-jobs
                    masterUrl: %s
                """.formatted(masterUrl).stripTrailing()));
        Process atlas = Distribution.start(Map.of(), "run", "--config", config.toString());
        try {
            String base = "http://127.0.0.1:" + port;
            await().atMost(Duration.ofSeconds(60)).until(() -> Distribution.status(base + "/health/ready") == 200);
            String task = """
                {"type": "patch", "appId": "gh-main",
                 "repository": {"cloneUrl": "https://github.example/acme/api.git", "ref": "main",
                                "sha": "0123456789abcdef0123456789abcdef01234567"},
                 "resultUrl": "https://asgard.example/results/k8s-patch-1",
                 "patch": "--- a/README.md\\n+++ b/README.md\\n@@ -1 +1,2 @@\\n hello\\n+fixed\\n",
                 "commit": {"branch": "atlas/fix", "message": "Fix", "author": {"name": "Bot", "email": "b@x.example"}},
                 "pullRequest": {"title": "Autofix", "body": "", "base": "main"}}
                """;
            HttpResponse<String> accepted = Distribution.post(base + "/api/tasks/k8s-patch-1",
                task.getBytes(StandardCharsets.UTF_8), "Content-Type", "application/json", "Authorization",
                "Bearer " + Distribution.cloudToken());
            assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(201);

            List<Job> jobs = client.batch().v1().jobs().inNamespace("atlas-jobs")
                .withLabel("atlas.dev/task-id", "k8s-patch-1").list().getItems();
            assertThat(jobs).hasSize(1);
            Job job = jobs.get(0);
            assertThat(job.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "atlas")
                .containsEntry("atlas.dev/type", "patch").containsEntry("atlas.dev/app", "gh-main");
            assertThat(job.getSpec().getBackoffLimit()).isZero();
            Container main = job.getSpec().getTemplate().getSpec().getContainers().get(0);
            assertThat(main.getImage()).isEqualTo("registry.acme.example/atlas:0.1.0");
            assertThat(String.join(" ", main.getCommand()) + " " + String.join(" ", main.getArgs() == null ? List.of()
                : main.getArgs())).contains("atlas patch --task-dir").contains("--secrets-dir");
            assertThat(main.getEnv()).anySatisfy(e -> assertThat(e.getName()).isEqualTo("ATLAS_SECRETS_DIR"));
            assertThat(job.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();

            Secret secret = client.secrets().inNamespace("atlas-jobs").list().getItems().stream()
                .filter(s -> s.getMetadata().getOwnerReferences().stream()
                    .anyMatch(o -> o.getUid().equals(job.getMetadata().getUid())))
                .findFirst().orElseThrow();
            Map<String, String> data = secret.getData() != null ? secret.getData() : secret.getStringData();
            assertThat(data).containsKeys("clone-token", "result-token", "proxy-token");
            ConfigMap files = client.configMaps().inNamespace("atlas-jobs").list().getItems().stream()
                .filter(c -> c.getMetadata().getOwnerReferences().stream()
                    .anyMatch(o -> o.getUid().equals(job.getMetadata().getUid())))
                .findFirst().orElseThrow();
            assertThat(files.getData()).containsKeys("task.json", "patch.diff");
            assertThat(files.getData().get("patch.diff")).contains("+fixed");
            assertThat(job.getSpec().getTemplate().getMetadata().getLabels()).containsEntry("atlas.dev/job", "true");
            assertThat(job.getSpec().getTemplate().getSpec().getAutomountServiceAccountToken()).isFalse();
            // the job holds Atlas's per-task tokens only: no VCS credential, not even in its Secret
            for (String value : data.values()) {
                assertThat(new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8))
                    .doesNotContain("ghs_k8s_token");
            }
            assertThat(files.getData().get("task.json")).doesNotContain("ghs_k8s_token")
                .contains("/jobs/k8s-patch-1/git").doesNotContain("github.example/acme/api.git");
            // no token anywhere in the Job itself
            String jobJson = Serialization.asJson(job);
            assertThat(jobJson).doesNotContain("ghs_k8s_token");
            for (String value : data.values()) {
                assertThat(jobJson).doesNotContain(value);
            }
        } finally {
            atlas.destroy();
            atlas.waitFor(30, TimeUnit.SECONDS);
            github.stop(0);
        }
    }

}
