package dev.atlas.driver.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What of the machine the sandbox shows, on a made-up root file system. */
class SandboxTest {
    @TempDir
    Path root;

    private List<String> argsFor(List<Path> hidden) {
        return Sandbox.systemArgs(root, hidden);
    }

    private static String pair(String... args) {
        return String.join(" ", args);
    }

    @Test
    void bindsTheSystemFoldersReadOnlyAndRecreatesTheirLinks() throws Exception {
        Files.createDirectories(root.resolve("usr/bin"));
        Files.createDirectories(root.resolve("lib64"));
        Files.createSymbolicLink(root.resolve("bin"), Path.of("usr/bin"));

        String args = String.join(" ", argsFor(List.of()));

        assertThat(args).contains(pair("--ro-bind", root.resolve("usr").toString(), "/usr"),
            pair("--ro-bind", root.resolve("lib64").toString(), "/lib64"), pair("--symlink", "usr/bin", "/bin"));
        assertThat(args).doesNotContain("/sbin", "/lib32", "--bind ");
    }

    @Test
    void showsOnlyTheHarmlessFilesOfEtc() throws Exception {
        Path etc = Files.createDirectories(root.resolve("etc"));
        for (String file : List.of("passwd", "group", "shadow", "gshadow", "gitconfig", "ld.so.cache")) {
            Files.writeString(etc.resolve(file), file);
        }
        Files.createDirectories(etc.resolve("ssl/certs"));
        Files.createDirectories(etc.resolve("ssl/private"));
        Files.createDirectories(etc.resolve("atlas"));
        Files.writeString(etc.resolve("atlas/atlas.yaml"), "config");
        Files.createSymbolicLink(etc.resolve("localtime"), Path.of("/usr/share/zoneinfo/Etc/UTC"));

        List<String> args = argsFor(List.of());

        assertThat(args).contains("/etc/passwd", "/etc/group", "/etc/ld.so.cache", "/etc/ssl/certs", "/etc/localtime");
        assertThat(String.join(" ", args)).doesNotContain("shadow", "gitconfig", "private", "atlas");
        assertThat(String.join(" ", args)).contains(pair("--symlink", "/usr/share/zoneinfo/Etc/UTC", "/etc/localtime"));
    }

    @Test
    void coversAtlasFoldersThatLieUnderAShownSystemFolder() throws Exception {
        Path atlas = Files.createDirectories(root.resolve("usr/local/atlas"));
        Path elsewhere = Files.createDirectories(root.resolve("var/lib/atlas"));

        List<String> args = argsFor(List.of(atlas, elsewhere, root.resolve("usr")));

        assertThat(String.join(" ", args)).contains(pair("--tmpfs", "/usr/local/atlas"))
            .doesNotContain("/var/lib/atlas").doesNotContain(pair("--tmpfs", "/usr "));
        assertThat(args.indexOf("/usr/local/atlas")).as("the cover comes after the bind it covers")
            .isGreaterThan(args.indexOf("/usr"));
    }
}
