package dev.atlas.tasks.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atlas.api.Secret;
import dev.atlas.api.vcs.CloneCredential;
import dev.atlas.core.config.AtlasConfig;
import dev.atlas.core.fakes.FakeGitServer;
import dev.atlas.core.outbound.OutboundNetwork;
import dev.atlas.core.tokens.TaskTokens;
import dev.atlas.testkit.net.ConnectProxy;
import dev.atlas.testkit.net.TestPki;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.eclipse.jgit.internal.storage.file.FileRepository;
import org.eclipse.jgit.lib.Repository;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The git endpoint's fetch from the VCS (JGit) with the outbound set-up: a VCS behind a private CA and a proxy. */
class GitUpstreamNetworkTest {
    private static final CloneCredential CREDENTIAL = new CloneCredential("x-access-token", Secret.of("vcs-token"));

    @TempDir
    Path dir;
    private final TestPki pki = TestPki.create("Acme Git CA");
    private FakeGitServer vcs;
    private ConnectProxy proxy;
    private String sha;

    @BeforeEach
    void start() throws Exception {
        GitCli git = new GitCli(Files.createDirectories(dir.resolve("home")));
        Path bare = Files.createDirectories(dir.resolve("vcs/acme/api.git"));
        git.run(bare, "init", "-q", "--bare", "-b", "main").ok();
        Path seed = Files.createDirectories(dir.resolve("seed"));
        git.run(seed, "init", "-q", "-b", "main").ok();
        Files.writeString(seed.resolve("README.md"), "behind the corporate CA\n");
        git.run(seed, "add", "-A").ok();
        git.run(seed, "commit", "-q", "-m", "first").ok();
        git.run(seed, "push", "-q", bare.toString(), "main").ok();
        sha = git.run(seed, "rev-parse", "HEAD").ok().out().trim();
        vcs = FakeGitServer.startHttps(dir.resolve("vcs"), "x-access-token", "vcs-token",
            pki.issue("git", "git.acme.test").serverContext());
        proxy = ConnectProxy.open();
    }

    @AfterEach
    void stop() throws Exception {
        vcs.close();
        proxy.close();
    }

    private GitUpstream upstream(Optional<String> bundle) {
        AtlasConfig.Proxy through = new AtlasConfig.Proxy(URI.create(proxy.url()), List.of(), Optional.empty(),
            Optional.empty());
        return new GitUpstream(Duration.ofSeconds(30), OutboundNetwork.of(new AtlasConfig.Outbound(bundle,
            Optional.of(through))).gitConnections());
    }

    private TaskTokens.GitGrant grant() {
        return new TaskTokens.GitGrant("t-1", "gh-main", false, "acme/api",
            URI.create("https://git.acme.test:" + vcs.port() + "/acme/api.git"), "main", sha, Optional.empty(),
            Optional.empty());
    }

    @Test
    void fetchesFromAVcsBehindThePrivateCaThroughTheProxy() throws Exception {
        try (Repository mirror = new FileRepository(dir.resolve("mirror.git").toFile())) {
            mirror.create(true);
            upstream(Optional.of(pki.caPem())).refresh(mirror, grant(), CREDENTIAL);
            assertThat(mirror.resolve("refs/heads/main").name()).isEqualTo(sha);
        }
        assertThat(proxy.tunnels()).isNotEmpty().allSatisfy(t -> assertThat(t).isEqualTo("git.acme.test:"
            + vcs.port()));
        assertThat(vcs.requests()).anySatisfy(r -> assertThat(r).startsWith("GET /acme/api.git/info/refs"));
    }

    @Test
    void refusesTheVcsCertificateWithoutTheBundle() throws Exception {
        try (Repository mirror = new FileRepository(dir.resolve("mirror.git").toFile())) {
            mirror.create(true);
            assertThatThrownBy(() -> upstream(Optional.empty()).refresh(mirror, grant(), CREDENTIAL))
                .isInstanceOf(GitUpstreamException.class);
        }
        assertThat(vcs.requests()).isEmpty();
    }
}
