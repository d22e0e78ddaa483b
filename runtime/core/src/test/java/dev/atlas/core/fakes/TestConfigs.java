package dev.atlas.core.fakes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes configs for core tests: a valid one on the fake VCS and driver, which tests then break on purpose. */
public final class TestConfigs {
    public static final String CLOUD_JWT_SECRET = "cloud-jwt-secret-that-is-long-enough-for-hs256";

    private TestConfigs() {
    }

    /** A valid config on {@code port} sending to {@code cloudUrl}; {@code extra} is appended as more YAML. */
    public static String valid(int port, String cloudUrl, String extra) {
        return """
            runner:
              id: test-runner
              publicUrl: http://127.0.0.1:%1$d
              cloudSecret: whsec_c2VjcmV0LWJ5dGVzLWZvci10aGUtY2xvdWQ=
            server:
              host: 127.0.0.1
              port: %1$d
              maxBodyBytes: 1024
            shutdown:
              timeout: 5s
            cloud:
              url: %2$s
              auth:
                hmacSecret: %3$s
                audience: test-runner
            installations:
              - id: acme
                apps:
                  - id: fake-main
                    vcs: fakevcs
                    webUrl: https://vcs.example
                    apiUrl: https://vcs.example/api
                    webhookSecret: hook-secret
                    fakevcs:
                      flavour: plain
            tasks:
              driver: fake
            plugins:
              dir: plugins
            """.formatted(port, cloudUrl, CLOUD_JWT_SECRET) + extra;
    }

    /** Writes {@code yaml} as {@code atlas.yaml} in a new folder that also has an empty plugins folder. */
    public static Path write(Path dir, String yaml) {
        try {
            Files.createDirectories(dir.resolve("plugins"));
            Path file = dir.resolve("atlas.yaml");
            Files.writeString(file, yaml);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A port free at the time of asking. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
