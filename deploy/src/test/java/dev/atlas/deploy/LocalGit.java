package dev.atlas.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** The real {@code git} and small loopback HTTP fakes for the end-to-end task tests. */
final class LocalGit {
    private LocalGit() {
    }

    /** Runs {@code git args} in {@code workDir} (a test identity, branch main) and returns its trimmed output. */
    static String git(Path workDir, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("git", "-c", "user.name=Test", "-c",
            "user.email=test@example.com", "-c", "init.defaultBranch=main"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(String.join(" ", args) + "\n" + out).isZero();
        return out.trim();
    }

    /**
     * A bare repository {@code <dir>/repos/acme/api.git} (pushes allowed) whose {@code main} holds one commit with
     * {@code README.md} = {@code readme}; returns that commit's id.
     */
    static String seedRepository(Path dir, String readme) throws Exception {
        Path repos = Files.createDirectories(dir.resolve("repos/acme"));
        git(repos, "init", "--bare", "api.git");
        git(repos.resolve("api.git"), "config", "http.receivepack", "true");
        Path seed = Files.createDirectories(dir.resolve("seed"));
        git(seed, "init");
        Files.writeString(seed.resolve("README.md"), readme);
        git(seed, "add", "README.md");
        git(seed, "commit", "-m", "first");
        git(seed, "push", repos.resolve("api.git").toString(), "HEAD:refs/heads/main");
        return git(seed, "rev-parse", "HEAD");
    }

    /** A started loopback HTTP server with the contexts {@code contexts} adds. */
    static HttpServer server(Consumer<HttpServer> contexts) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        contexts.accept(server);
        server.start();
        return server;
    }
}
