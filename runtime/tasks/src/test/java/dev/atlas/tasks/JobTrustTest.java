package dev.atlas.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atlas.api.Secret;
import dev.atlas.api.driver.JobSpec;
import dev.atlas.api.vcs.AppSettings;
import dev.atlas.api.vcs.VcsProvider;
import dev.atlas.core.keys.SigningKeys;
import dev.atlas.core.tokens.TaskTokens;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code outbound.caBundle} in jobs: mounted when {@code tasks.jobUrl} is https, and handed to git by the scripts. */
class JobTrustTest {
    private static final String CLOUD = "https://asgard.example";
    private static final String PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

    @TempDir
    Path dir;

    private JobSpec job(String jobUrl, Optional<String> bundle) throws Exception {
        TaskTokens tokens = new TaskTokens(SigningKeys.open(dir.resolve("keys"), Clock.systemUTC()),
            URI.create("https://atlas.acme.example/"), URI.create(CLOUD), Clock.systemUTC());
        JobBuilder builder = new JobBuilder("alpine/git:2.47.2", "atlas:0.1.0", true, tokens, URI.create(jobUrl))
            .withJobTrust(bundle);
        VcsProvider provider = () -> new AppSettings("acme", "fake-main", "github", URI.create("https://vcs.example"),
            URI.create("https://vcs.example/api"), Secret.of("s"), Optional.empty(), "apps[0]");
        return builder.build(TaskParserTest.PARSER.parse("t-1", TaskSamples.analysis(CLOUD, "")
            .getBytes(StandardCharsets.UTF_8)), provider);
    }

    @Test
    void mountsTheBundleOnlyWhenJobsReachAtlasOverHttps() throws Exception {
        assertThat(job("https://atlas.atlas.svc:8443", Optional.of(PEM)).taskFiles())
            .containsKey(JobBuilder.CA_FILE);
        assertThat(new String(job("https://atlas.atlas.svc:8443", Optional.of(PEM)).taskFiles()
            .get(JobBuilder.CA_FILE), StandardCharsets.US_ASCII)).isEqualTo(PEM);
        assertThat(job("http://atlas.atlas.svc:8080", Optional.of(PEM)).taskFiles()).doesNotContainKey(
            JobBuilder.CA_FILE);
        assertThat(job("https://atlas.atlas.svc:8443", Optional.empty()).taskFiles()).doesNotContainKey(
            JobBuilder.CA_FILE);
    }

    @Test
    void theScriptsHandTheMountedBundleToGitAndAtlasAndNothingWithoutIt() throws Exception {
        Path taskDir = Files.createDirectories(dir.resolve("task"));
        assertThat(run(taskDir)).isEqualTo("|");
        Files.writeString(taskDir.resolve(JobBuilder.CA_FILE), PEM);
        String ca = taskDir.resolve(JobBuilder.CA_FILE).toString();
        assertThat(run(taskDir)).isEqualTo(ca + "|" + ca);
        assertThat(JobBuilder.CLONE_SCRIPT).contains(JobBuilder.TRUST);
        assertThat(JobBuilder.PATCH_SCRIPT).startsWith(JobBuilder.TRUST);
    }

    private static String run(Path taskDir) throws Exception {
        ProcessBuilder shell = new ProcessBuilder("sh", "-c", "set -eu\n" + JobBuilder.TRUST
            + "\nprintf '%s|%s' \"${GIT_SSL_CAINFO:-}\" \"${ATLAS_CA_FILE:-}\"");
        shell.environment().remove("GIT_SSL_CAINFO");
        shell.environment().remove("ATLAS_CA_FILE");
        shell.environment().put("ATLAS_TASK_DIR", taskDir.toString());
        Process process = shell.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).isZero();
        return out;
    }
}
