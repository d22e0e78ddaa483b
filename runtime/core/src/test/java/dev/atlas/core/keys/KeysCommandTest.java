package dev.atlas.core.keys;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atlas.core.cli.AtlasCli;
import dev.atlas.core.fakes.TestConfigs;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeysCommandTest {
    @TempDir
    Path dir;

    @Test
    void rotateAddsASigningKeyAndKeepsTheOldOnePublished() throws Exception {
        Path config = TestConfigs.write(dir, TestConfigs.valid(0, "https://asgard.example", """
            auth:
              signingKeys: keys
            """));
        String first = SigningKeys.open(dir.resolve("keys"), Clock.systemUTC()).signingKeyId();
        StringWriter out = new StringWriter();
        int code = AtlasCli.execute(new String[] {"keys", "rotate", "--config", config.toString()},
            new PrintWriter(out, true), new PrintWriter(new StringWriter(), true));
        assertThat(code).isZero();
        SigningKeys keys = SigningKeys.read(dir.resolve("keys"), Clock.systemUTC());
        assertThat(keys.keyIds()).hasSize(2).endsWith(first);
        assertThat(out.toString()).contains("added signing key " + keys.signingKeyId()).doesNotContain("\"d\"");
    }

    @Test
    void rotateOnAnEmptyFolderPreparesEverythingAReadOnlyMountNeeds() throws Exception {
        Path config = TestConfigs.write(dir, TestConfigs.valid(0, "https://asgard.example", """
            auth:
              signingKeys: fresh
            """));
        int code = AtlasCli.execute(new String[] {"keys", "rotate", "--config", config.toString()},
            new PrintWriter(new StringWriter(), true), new PrintWriter(new StringWriter(), true));
        assertThat(code).isZero();
        assertThat(SigningKeys.read(dir.resolve("fresh"), Clock.systemUTC()).keyIds()).hasSize(1);
        assertThat(dir.resolve("fresh").resolve(SealedTokens.FILE)).exists();
    }

    @Test
    void exitsWithTwoOnABadConfig() {
        Path config = TestConfigs.write(dir, "runner: {}\n");
        StringWriter err = new StringWriter();
        int code = AtlasCli.execute(new String[] {"keys", "rotate", "--config", config.toString()},
            new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("invalid configuration");
    }
}
