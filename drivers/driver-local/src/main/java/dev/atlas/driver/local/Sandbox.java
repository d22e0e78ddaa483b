package dev.atlas.driver.local;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The bubblewrap ({@code bwrap}) sandbox the task's own commands run in: code the cloud chose, with the source in
 * front of it. Inside it sees only the system folders a command needs (read-only), a handful of harmless files of
 * {@code /etc}, its own {@code /proc}, {@code /dev} and {@code /tmp}, the task folder (read-only), the workspace and
 * the results folder (read-write) — at fixed paths, so not even the location of Atlas's data folder shows. It has no
 * network (a new network namespace holds only its own loopback), new user, pid, ipc, uts and cgroup namespaces, no
 * capability, and dies with Atlas.
 *
 * <p>bwrap reads its options from its standard input ({@code --args 0}) so that its command line, which the
 * sandboxed process can read as {@code /proc/1/cmdline}, names no host path (only the task's own command); and it is
 * started with an empty environment, because its first process keeps the caller's environment in
 * {@code /proc/1/environ}.
 */
final class Sandbox {
    /** Where the job's folders appear inside the sandbox. */
    static final String TASK_DIR = "/atlas/task";
    static final String WORKSPACE = "/atlas/workspace";
    static final String RESULTS_DIR = "/atlas/results";
    /** The PATH inside: only system folders exist there. */
    static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    /** The user the command runs as inside (nobody); it maps to Atlas's user outside, with no capability. */
    static final String SANDBOX_UID = "65534";

    private static final List<String> SYSTEM_DIRS = List.of("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64",
        "/libx32");
    /**
     * What of {@code /etc} a command may need and that holds nothing of Atlas's: users and groups (names only, the
     * shadow files stay out), the dynamic linker's cache, alternatives, CA certificates (not {@code ssl/private}),
     * time zone, the JVM's configuration. Never the whole folder: an Atlas config may live there.
     */
    private static final List<String> ETC_ENTRIES = List.of("passwd", "group", "nsswitch.conf", "hosts", "host.conf",
        "localtime", "timezone", "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "alternatives", "ssl/certs",
        "ca-certificates", "mime.types", "os-release", "debian_version");

    private final Path bwrap;
    private final List<String> systemArgs;

    /**
     * @param bwrap the {@code bwrap} executable
     * @param hidden folders of Atlas (its distribution, data, working folder) that must stay invisible even when they
     *     lie under a system folder the sandbox shows (say {@code /usr/local/atlas}): an empty tmpfs covers them
     */
    Sandbox(Path bwrap, Collection<Path> hidden) {
        this.bwrap = bwrap;
        this.systemArgs = systemArgs(Path.of("/"), hidden);
    }

    /** The {@code bwrap} on {@code path} (the Atlas process's {@code PATH}), if there is one. */
    static Optional<Path> locate(String path) {
        return locate(path, "bwrap");
    }

    /** Where {@code program} is on {@code path} (a {@code PATH} value), if it is there. */
    static Optional<Path> locate(String path, String program) {
        if (path == null) {
            return Optional.empty();
        }
        return Stream.of(path.split(File.pathSeparator)).filter(dir -> !dir.isBlank())
            .map(dir -> Path.of(dir, program)).filter(Files::isExecutable).findFirst();
    }

    /**
     * The options bwrap reads from its standard input to run a command for the task in {@code folder}: the
     * namespaces, the mounts, then {@code env} as the whole environment. The command itself follows {@code --} on
     * bwrap's command line ({@link #commandLine}): bwrap takes it only from there.
     */
    List<String> options(TaskFolder folder, Map<String, String> env) {
        List<String> args = new ArrayList<>(List.of("--unshare-all", "--unshare-user", "--uid", SANDBOX_UID,
            "--gid", SANDBOX_UID, "--cap-drop", "ALL", "--die-with-parent", "--new-session", "--hostname", "atlas-job"));
        args.addAll(systemArgs);
        args.addAll(List.of("--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
            "--ro-bind", folder.taskDir().toString(), TASK_DIR,
            "--bind", folder.workspace().toString(), WORKSPACE,
            "--bind", folder.resultsDir().toString(), RESULTS_DIR,
            "--chdir", WORKSPACE, "--clearenv"));
        env.forEach((name, value) -> args.addAll(List.of("--setenv", name, value)));
        return args;
    }

    /** bwrap's command line: the options come from standard input, then the task's own command. */
    List<String> commandLine(List<String> command) {
        List<String> line = new ArrayList<>(List.of(bwrap.toString(), "--args", "0", "--"));
        line.addAll(command);
        return line;
    }

    /** The read-only system folders and {@code /etc} files as they exist under {@code root}, then the masks. */
    static List<String> systemArgs(Path root, Collection<Path> hidden) {
        List<String> args = new ArrayList<>();
        List<Path> shown = new ArrayList<>();
        for (String dir : SYSTEM_DIRS) {
            Path host = root.resolve(dir.substring(1));
            Optional<String> link = symlink(host);
            if (link.isPresent()) {
                // /bin -> usr/bin on merged-/usr systems: the same link inside, pointing into the bound /usr
                args.addAll(List.of("--symlink", link.get(), dir));
            } else if (Files.isDirectory(host, LinkOption.NOFOLLOW_LINKS)) {
                args.addAll(List.of("--ro-bind", host.toString(), dir));
                shown.add(host.toAbsolutePath().normalize());
            }
        }
        for (String entry : ETC_ENTRIES) {
            Path host = root.resolve("etc").resolve(entry);
            String inside = "/etc/" + entry;
            Optional<String> link = symlink(host);
            if (link.isPresent()) {
                args.addAll(List.of("--symlink", link.get(), inside));
            } else if (Files.exists(host, LinkOption.NOFOLLOW_LINKS)) {
                args.addAll(List.of("--ro-bind", host.toString(), inside));
            }
        }
        Path base = root.toAbsolutePath().normalize();
        for (Path path : hidden) {
            Path normal = path.toAbsolutePath().normalize();
            if (shown.stream().anyMatch(dir -> !normal.equals(dir) && normal.startsWith(dir))
                && Files.isDirectory(normal)) {
                args.addAll(List.of("--tmpfs", "/" + base.relativize(normal)));
            }
        }
        return args;
    }

    private static Optional<String> symlink(Path path) {
        if (!Files.isSymbolicLink(path)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Files.readSymbolicLink(path).toString());
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
