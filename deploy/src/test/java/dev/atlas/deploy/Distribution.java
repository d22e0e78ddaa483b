package dev.atlas.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The built distribution ({@code deploy/target/atlas}) run as a user runs it: {@code bin/atlas ...} processes. */
final class Distribution {
    static final Path HOME = Path.of(System.getProperty("atlas.dist", "target/atlas")).toAbsolutePath();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private Distribution() {
    }

    /** A finished command: exit code and everything it printed. */
    record Result(int exitCode, String output) {
    }

    /** Runs {@code bin/atlas args} to the end (at most two minutes). */
    static Result run(Map<String, String> env, String... args) {
        return runFrom(HOME, env, args);
    }

    /** Runs {@code <home>/bin/atlas args} of another copy of the distribution to the end (at most two minutes). */
    static Result runFrom(Path home, Map<String, String> env, String... args) {
        try {
            Process process = startFrom(home, env, args);
            if (!process.waitFor(2, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException("atlas " + String.join(" ", args) + " did not finish");
            }
            return new Result(process.exitValue(), output(process));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Starts {@code bin/atlas args} with stdout and stderr merged into {@code <home>/../<pid>.log}. */
    static Process start(Map<String, String> env, String... args) {
        return startFrom(HOME, env, args);
    }

    /** Starts {@code <home>/bin/atlas args} of another copy of the distribution, like {@link #start}. */
    static Process startFrom(Path home, Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>();
        command.add(home.resolve("bin/atlas").toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        try {
            Path log = Files.createTempFile("atlas-dist", ".log");
            builder.redirectOutput(log.toFile());
            Process process = builder.start();
            LOGS.put(process.pid(), log);
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final Map<Long, Path> LOGS = new java.util.concurrent.ConcurrentHashMap<>();

    /** What a process started by {@link #start} printed so far. */
    static String output(Process process) {
        try {
            return Files.readString(LOGS.get(process.pid()), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The status of {@code GET url}, or -1 when nothing answers. */
    static int status(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    static HttpResponse<String> post(String url, byte[] body, String... headers) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).headers(headers)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A cloud bearer JWT (HS256 with the test configs' {@code cloud.auth.hmacSecret}, five minutes). */
    static String cloudToken() throws Exception {
        com.nimbusds.jwt.SignedJWT jwt = new com.nimbusds.jwt.SignedJWT(
            new com.nimbusds.jose.JWSHeader(com.nimbusds.jose.JWSAlgorithm.HS256),
            new com.nimbusds.jwt.JWTClaimsSet.Builder().subject("asgard").audience("dist-runner")
                .expirationTime(java.util.Date.from(java.time.Instant.now().plusSeconds(300))).build());
        jwt.sign(new com.nimbusds.jose.crypto.MACSigner(
            "dist-cloud-jwt-secret-long-enough-for-hs256-keys".getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }

    /**
     * A copy of the distribution at {@code target} for a test that changes its folders (a plugin dropped into
     * {@code plugins/}): everything copied but {@code lib/}, which is linked (the same jars, and large).
     */
    static Path copy(Path target) throws IOException {
        copyFiles(target, true);
        Files.createSymbolicLink(target.resolve("lib"), HOME.resolve("lib"));
        return target;
    }

    /** A whole copy of the distribution at {@code target}, {@code lib/} included, as a user copies or moves it. */
    static Path copyWhole(Path target) throws IOException {
        copyFiles(target, false);
        return target;
    }

    private static void copyFiles(Path target, boolean skipLib) throws IOException {
        Files.createDirectories(target);
        try (java.util.stream.Stream<Path> files = Files.walk(HOME)) {
            for (Path source : (Iterable<Path>) files::iterator) {
                Path relative = HOME.relativize(source);
                if (relative.toString().isEmpty() || skipLib && relative.startsWith("lib")) {
                    continue;
                }
                Path copy = target.resolve(relative.toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(copy);
                } else {
                    Files.copy(source, copy, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An RSA private key in PKCS#8 PEM, as a GitHub App key would be configured. */
    static String rsaPem() throws NoSuchAlgorithmException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return "-----BEGIN PRIVATE KEY-----\n"
            + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(generator.generateKeyPair().getPrivate()
                .getEncoded()) + "\n-----END PRIVATE KEY-----\n";
    }

    /** A config with one GitHub app and the local driver, on {@code port}, sending to {@code cloudUrl}. */
    static Path githubConfig(Path dir, int port, String cloudUrl, String webhookSecret) throws Exception {
        Files.writeString(dir.resolve("gh.pem"), rsaPem());
        Files.writeString(dir.resolve("hook-secret"), webhookSecret + "\n");
        Path file = dir.resolve("atlas.yaml");
        Files.writeString(file, """
            runner:
              id: dist-runner
              publicUrl: http://127.0.0.1:%1$d
              cloudSecret: whsec_c2VjcmV0LWJ5dGVzLWZvci10aGUtY2xvdWQ=
            server:
              host: 127.0.0.1
              port: %1$d
            shutdown:
              timeout: 5s
            cloud:
              url: %2$s
              deliveryTimeout: 2s
              auth:
                hmacSecret: dist-cloud-jwt-secret-long-enough-for-hs256-keys
                audience: dist-runner
            installations:
              - id: acme
                apps:
                  - id: gh-main
                    vcs: github
                    webUrl: https://github.example
                    apiUrl: https://github.example/api/v3
                    webhookSecret: ${file:hook-secret}
                    github:
                      appId: "12345"
                      privateKey: ${file:gh.pem}
            webhooks:
              spoolDir: spool
              maxBackoff: 1s
            tasks:
              driver: local
            """.formatted(port, cloudUrl));
        return file;
    }
}
