package dev.atlas.tasks.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atlas.testkit.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.eclipse.jgit.lib.Repository;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GitMirrorTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));

    @Test
    void keepsOneBareRepositoryPerTaskWithoutRemoteOrCredential(@TempDir Path root) throws Exception {
        GitMirror mirrors = new GitMirror(root, clock);
        try (Repository repository = mirrors.open("t-1")) {
            assertThat(repository.isBare()).isTrue();
            assertThat(repository.getDirectory().toPath()).isEqualTo(root.resolve("t-1.git"));
            assertThat(repository.getConfig().getSubsections("remote")).isEmpty();
            assertThat(repository.getConfig().getBoolean("http", "followRedirects", true)).isFalse();
        }
        try (Repository again = mirrors.open("t-1")) {
            assertThat(again.getDirectory().toPath()).isEqualTo(root.resolve("t-1.git"));
        }
        assertThat(Files.readString(root.resolve("t-1.git/config"))).doesNotContain("followRedirects");
    }

    @ParameterizedTest
    @ValueSource(strings = {"../escape", "a/b", "..", ".hidden", ""})
    void refusesANameThatIsNotATaskId(String taskId, @TempDir Path root) {
        assertThatThrownBy(() -> new GitMirror(root, clock).open(taskId)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void sweepsOnlyMirrorsUntouchedForTheirMaximumAge(@TempDir Path root) throws Exception {
        GitMirror mirrors = new GitMirror(root, clock);
        mirrors.open("old").close();
        clock.advance(Duration.ofHours(2));
        mirrors.open("recent").close();
        assertThat(mirrors.sweep(Duration.ofHours(1))).isEqualTo(1);
        assertThat(root.resolve("old.git")).doesNotExist();
        assertThat(root.resolve("recent.git")).isDirectory();
    }

    @Test
    void tellsWhenTheMirrorWasLastRefreshed(@TempDir Path root) throws Exception {
        GitMirror mirrors = new GitMirror(root, clock);
        try (Repository repository = mirrors.open("t-2")) {
            assertThat(mirrors.refreshedAt(repository)).isEqualTo(Instant.EPOCH);
            mirrors.markRefreshed(repository);
            assertThat(mirrors.refreshedAt(repository)).isEqualTo(clock.instant());
        }
    }
}
