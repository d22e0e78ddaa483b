package dev.atlas.patcher;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.eclipse.jgit.lib.Config;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.storage.file.FileBasedConfig;
import org.eclipse.jgit.util.FS;
import org.eclipse.jgit.util.SystemReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A hostile user-level git config (global hooks, filter commands) cannot make the patcher run anything. */
class GlobalGitConfigIT {
    @RegisterExtension
    static final WireMockExtension CLOUD = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    @TempDir
    Path tmp;

    private SystemReader original;
    private Path marker;

    @BeforeEach
    void installHostileUserConfig() throws IOException {
        marker = tmp.resolve("something-ran");
        Path hooks = Files.createDirectories(tmp.resolve("global-hooks"));
        Path prePush = hooks.resolve("pre-push");
        Files.writeString(prePush, "#!/bin/sh\ntouch '" + marker + "'\nexit 1\n");
        Files.setPosixFilePermissions(prePush, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path userConfig = tmp.resolve("gitconfig");
        Files.writeString(userConfig, "[core]\n\thooksPath = " + hooks + "\n[filter \"evil\"]\n\tclean = sh -c 'touch "
            + marker + "; cat'\n\tsmudge = sh -c 'touch " + marker + "; cat'\n");
        original = SystemReader.getInstance();
        SystemReader.setInstance(new SystemReader.Delegate(original) {
            @Override
            public FileBasedConfig openUserConfig(Config parent, FS fs) {
                return new FileBasedConfig(parent, userConfig.toFile(), fs);
            }
        });
    }

    @AfterEach
    void restore() {
        SystemReader.setInstance(original);
    }

    @Test
    void doesNotRunAGlobalPrePushHook() throws IOException {
        PatchHarness run = new PatchHarness(tmp, CLOUD);

        assertThat(run.run()).as(run.out).isZero();

        assertThat(marker).doesNotExist();
    }

    @Test
    void doesNotRunFilterCommandsNamedByTheRepositorysAttributes() throws IOException {
        PatchHarness run = new PatchHarness(tmp, CLOUD);
        ObjectId base = run.remote.commit("main", run.base, Map.of(".gitattributes", "* filter=evil\n",
            "greeting.txt", PatchHarness.GREETING), "filtered files");
        run.task.with("repository").put("sha", base.name());

        assertThat(run.run()).as(run.out).isZero();

        assertThat(marker).doesNotExist();
        assertThat(run.remote.files(PatchHarness.BRANCH)).containsEntry("greeting.txt", "hello\natlas\nbye\n");
    }
}
