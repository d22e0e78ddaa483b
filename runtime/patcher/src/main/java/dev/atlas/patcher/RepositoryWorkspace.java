package dev.atlas.patcher;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jgit.errors.TransportException;
import org.eclipse.jgit.internal.storage.file.FileRepository;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.FetchConnection;
import org.eclipse.jgit.transport.PushResult;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.RemoteRefUpdate;
import org.eclipse.jgit.transport.TagOpt;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.util.FileUtils;

/**
 * A throw-away bare repository that talks to the task's remote. It is created empty and fed by explicit fetches
 * with the remote URL passed per call, so no remote, URL or credential is ever written to its config; there is no
 * work tree (patches are applied in memory, see {@link TreePatcher}). {@link #close()} deletes it.
 */
final class RepositoryWorkspace implements AutoCloseable {
    /** Called between the commit and the push; tests use it to move the remote branch or inspect the workspace. */
    @FunctionalInterface
    interface BeforePush {
        void run(Path workspace) throws Exception;
    }

    /** How a push ended: {@code accepted}, or rejected with the remote's reason. */
    record PushOutcome(boolean accepted, String reason) {
    }

    private static final int TRAILER_SEARCH_LIMIT = 200;

    private final Path directory;
    private final Repository repository;
    private final URIish remote;
    private final CredentialsProvider credentials;
    private final int timeoutSeconds;

    private RepositoryWorkspace(Path directory, Repository repository, URIish remote, CredentialsProvider credentials,
        int timeoutSeconds) {
        this.directory = directory;
        this.repository = repository;
        this.remote = remote;
        this.credentials = credentials;
        this.timeoutSeconds = timeoutSeconds;
    }

    /** Creates an empty bare repository in a fresh directory under {@code root}. */
    static RepositoryWorkspace create(Path root, URIish remote, CredentialsProvider credentials, Duration timeout) throws IOException {
        Files.createDirectories(root);
        Path dir = Files.createTempDirectory(root, "atlas-patch-");
        try {
            Repository repository = new FileRepository(dir.resolve("repo.git").toFile());
            repository.create(true);
            // In memory only (never saved): a redirect must not carry the token to another host.
            repository.getConfig().setString("http", null, "followRedirects", "false");
            // A background gc after fetch would race the deletion of this short-lived repository.
            repository.getConfig().setBoolean("fetch", null, "autogc", false);
            repository.getConfig().setInt("gc", null, "auto", 0);
            isolateFromGlobalConfig(repository, Files.createDirectory(dir.resolve("no-hooks")));
            return new RepositoryWorkspace(dir, repository, remote, credentials, (int) timeout.toSeconds());
        } catch (IOException | RuntimeException e) {
            FileUtils.delete(dir.toFile(), FileUtils.RECURSIVE | FileUtils.SKIP_MISSING);
            throw e;
        }
    }

    /**
     * Nothing outside this process may run while we handle the customer's code: a {@code core.hooksPath} from the
     * user's or system's git config would run a pre-push hook, and a {@code filter.<driver>.clean} command (LFS in
     * many images) would run for files whose attributes name that driver. Both are overridden in memory.
     */
    private static void isolateFromGlobalConfig(Repository repository, Path emptyHooks) {
        StoredConfig config = repository.getConfig();
        config.setString("core", null, "hooksPath", emptyHooks.toString());
        for (String driver : config.getSubsections("filter")) {
            config.setString("filter", driver, "clean", "");
            config.setString("filter", driver, "smudge", "");
            config.setString("filter", driver, "process", "");
        }
    }

    /** Parses a clone URL or local path the way JGit does. */
    static URIish uri(String cloneUrl) throws PatchFailure {
        try {
            return new URIish(cloneUrl);
        } catch (URISyntaxException e) {
            throw PatchFailure.invalidField("repository.cloneUrl", "not a valid git URL");
        }
    }

    Path directory() {
        return directory;
    }

    Repository repository() {
        return repository;
    }

    /** The refs the remote advertises, by full name. */
    Map<String, Ref> advertisedRefs() throws IOException {
        try (Transport transport = open(); FetchConnection connection = transport.openFetch()) {
            return connection.getRefsMap();
        }
    }

    /** Fetches the given full remote refs (with their history) into {@code refs/remotes/origin/...}. */
    void fetch(List<String> remoteRefs) throws IOException {
        List<RefSpec> specs = remoteRefs.stream()
            .map(ref -> new RefSpec("+" + ref + ":refs/remotes/origin/" + Repository.shortenRefName(ref)))
            .toList();
        try (Transport transport = open()) {
            transport.setTagOpt(TagOpt.NO_TAGS);
            transport.fetch(NullProgressMonitor.INSTANCE, specs);
        }
    }

    /** The commit a fetched id points at, peeling annotated tags. */
    RevCommit commit(ObjectId id) throws IOException {
        try (RevWalk walk = new RevWalk(repository)) {
            return walk.parseCommit(id);
        }
    }

    /** Writes a commit with the same person as author and committer; refs stay untouched (the push names the id). */
    ObjectId writeCommit(ObjectId tree, ObjectId parent, PersonIdent person, String message) throws IOException {
        CommitBuilder builder = new CommitBuilder();
        builder.setTreeId(tree);
        builder.setParentId(parent);
        builder.setAuthor(person);
        builder.setCommitter(person);
        builder.setMessage(message);
        try (ObjectInserter inserter = repository.newObjectInserter()) {
            ObjectId id = inserter.insert(builder);
            inserter.flush();
            return id;
        }
    }

    /**
     * The newest commit reachable from {@code tip} (within a bounded walk) whose message carries the trailer
     * {@code key: value}; how a re-run recognises its own earlier commit.
     */
    Optional<RevCommit> findByTrailer(ObjectId tip, String key, String value) throws IOException {
        try (RevWalk walk = new RevWalk(repository)) {
            walk.markStart(walk.parseCommit(tip));
            int seen = 0;
            for (RevCommit commit : walk) {
                if (commit.getFooterLines(key).contains(value)) {
                    return Optional.of(commit);
                }
                if (++seen >= TRAILER_SEARCH_LIMIT) {
                    break;
                }
            }
            return Optional.empty();
        }
    }

    /**
     * Pushes {@code commit} to {@code refs/heads/<branch>} without force, and only if the remote branch still is
     * {@code expectedOld} (zero id: must not exist). Either check failing is a rejection, not an error.
     */
    PushOutcome push(String branch, ObjectId commit, ObjectId expectedOld) throws IOException {
        String remoteRef = "refs/heads/" + branch;
        RemoteRefUpdate update = new RemoteRefUpdate(repository, null, commit, remoteRef, false, null, expectedOld);
        PushResult result;
        try (Transport transport = open()) {
            result = transport.push(NullProgressMonitor.INSTANCE, List.of(update));
        }
        RemoteRefUpdate outcome = result.getRemoteUpdate(remoteRef);
        RemoteRefUpdate.Status status = outcome == null ? RemoteRefUpdate.Status.NOT_ATTEMPTED : outcome.getStatus();
        return switch (status) {
            case OK, UP_TO_DATE -> new PushOutcome(true, null);
            case REJECTED_NONFASTFORWARD -> new PushOutcome(false, "not a fast-forward: branch " + branch + " holds other commits");
            case REJECTED_REMOTE_CHANGED -> new PushOutcome(false, "branch " + branch + " changed on the remote during the run");
            case REJECTED_NODELETE, REJECTED_OTHER_REASON -> new PushOutcome(false,
                "remote rejected the push" + (outcome.getMessage() == null ? "" : ": " + outcome.getMessage()));
            default -> throw new TransportException("push did not complete: " + status);
        };
    }

    private Transport open() throws IOException {
        Transport transport = Transport.open(repository, remote);
        transport.setCredentialsProvider(credentials);
        transport.setTimeout(timeoutSeconds);
        return transport;
    }

    @Override
    public void close() throws IOException {
        repository.close();
        FileUtils.delete(directory.toFile(), FileUtils.RECURSIVE | FileUtils.SKIP_MISSING | FileUtils.RETRY);
    }
}
