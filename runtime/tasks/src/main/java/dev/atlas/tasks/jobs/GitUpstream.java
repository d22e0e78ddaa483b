package dev.atlas.tasks.jobs;

import dev.atlas.api.vcs.CloneCredential;
import dev.atlas.core.tokens.TaskTokens.GitGrant;
import dev.atlas.patcher.GitCredentials;
import java.io.IOException;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jgit.errors.TransportException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.FetchConnection;
import org.eclipse.jgit.transport.PushResult;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.RemoteRefUpdate;
import org.eclipse.jgit.transport.TagOpt;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.TransportHttp;
import org.eclipse.jgit.transport.http.HttpConnectionFactory;
import org.eclipse.jgit.transport.URIish;

/**
 * Atlas's side of the VCS: fetches a task's refs into its mirror and pushes the task's branch, with the real
 * credential, which JGit sends only to the clone URL's own origin (the mirror does not follow redirects). The mirror
 * keeps the VCS's ref names: the task's {@code ref} (a branch, a tag or a full ref), {@code refs/heads/<branch>} of a
 * push grant when the VCS has it, and {@link #SHA_REF} at the task's commit.
 */
final class GitUpstream {
    /** Where the mirror keeps the task's commit (never advertised to the job). */
    static final String SHA_REF = "refs/atlas/sha";

    /** How a push to the VCS ended; {@code reason} is shown to the job's git when refused. */
    record PushOutcome(boolean accepted, String reason) {
    }

    private final int timeoutSeconds;
    private final HttpConnectionFactory connections;

    /** @param connections JGit's HTTP connections (the outbound trust and proxy) */
    GitUpstream(Duration timeout, HttpConnectionFactory connections) {
        this.timeoutSeconds = (int) Math.max(1, timeout.toSeconds());
        this.connections = connections;
    }

    /** The full names the task's {@code ref} may stand for: a full ref as it is, else a branch before a tag. */
    static List<String> candidates(String ref) {
        return ref.startsWith("refs/") ? List.of(ref) : List.of(Constants.R_HEADS + ref, Constants.R_TAGS + ref);
    }

    /** The full ref a push grant may update ({@code commit.branch} may be given with or without {@code refs/heads/}). */
    static Optional<String> branchRef(GitGrant grant) {
        return grant.branch().map(b -> b.startsWith(Constants.R_HEADS) ? b : Constants.R_HEADS + b);
    }

    /**
     * Brings the task's refs (as the VCS has them now) and its commit into {@code repository}; local copies of refs
     * the VCS no longer has are dropped. HEAD follows the task's ref when that is a branch.
     *
     * @throws GitUpstreamException when the VCS has neither the task's ref nor its commit, or cannot be reached
     */
    void refresh(Repository repository, GitGrant grant, CloneCredential credential) throws IOException {
        ObjectId sha = ObjectId.fromString(grant.sha());
        try (Transport transport = open(repository, grant, credential)) {
            Map<String, Ref> remote;
            try (FetchConnection connection = transport.openFetch()) {
                remote = connection.getRefsMap();
            }
            List<String> managed = new ArrayList<>(candidates(grant.ref()));
            branchRef(grant).ifPresent(managed::add);
            Optional<String> base = candidates(grant.ref()).stream().filter(remote::containsKey).findFirst();
            List<RefSpec> specs = new ArrayList<>();
            for (String name : managed) {
                boolean wanted = remote.containsKey(name) && (base.filter(name::equals).isPresent()
                    || !candidates(grant.ref()).contains(name));
                if (wanted) {
                    specs.add(new RefSpec("+" + name + ":" + name));
                } else if (repository.exactRef(name) != null) {
                    delete(repository, name);
                }
            }
            transport.setTagOpt(TagOpt.NO_TAGS);
            if (!specs.isEmpty()) {
                transport.fetch(NullProgressMonitor.INSTANCE, specs);
            }
            if (!repository.getObjectDatabase().has(sha)) {
                // a commit no ref of the VCS leads to any more (GitHub and GitLab serve any commit they hold)
                transport.fetch(NullProgressMonitor.INSTANCE, List.of(new RefSpec(grant.sha() + ":" + SHA_REF)));
            }
            if (base.isEmpty() && !repository.getObjectDatabase().has(sha)) {
                throw new GitUpstreamException("the VCS has neither ref " + grant.ref() + " nor commit " + grant.sha());
            }
            if (repository.getObjectDatabase().has(sha)) {
                set(repository, SHA_REF, sha);
            }
            if (base.isPresent() && base.get().startsWith(Constants.R_HEADS)) {
                repository.updateRef(Constants.HEAD).link(base.get());
            }
        } catch (TransportException e) {
            throw new GitUpstreamException("fetching from the VCS failed: " + e.getMessage(), e);
        }
    }

    /**
     * Pushes {@code commit} (already in {@code repository}) to {@code ref} at the VCS, never forced, and only while
     * the VCS's ref still is {@code expectedOld} (zero id: must not exist).
     */
    PushOutcome push(Repository repository, GitGrant grant, CloneCredential credential, String ref, ObjectId commit,
        ObjectId expectedOld) throws IOException {
        RemoteRefUpdate update = new RemoteRefUpdate(repository, null, commit, ref, false, null, expectedOld);
        PushResult result;
        try (Transport transport = open(repository, grant, credential)) {
            result = transport.push(NullProgressMonitor.INSTANCE, List.of(update));
        } catch (TransportException e) {
            return new PushOutcome(false, "the VCS refused the push: " + e.getMessage());
        }
        RemoteRefUpdate outcome = result.getRemoteUpdate(ref);
        RemoteRefUpdate.Status status = outcome == null ? RemoteRefUpdate.Status.NOT_ATTEMPTED : outcome.getStatus();
        return switch (status) {
            case OK, UP_TO_DATE -> new PushOutcome(true, null);
            case REJECTED_NONFASTFORWARD -> new PushOutcome(false, "the VCS refused the push: not a fast-forward");
            case REJECTED_REMOTE_CHANGED -> new PushOutcome(false, "the branch changed at the VCS meanwhile; fetch again");
            default -> new PushOutcome(false, "the VCS refused the push"
                + (outcome == null || outcome.getMessage() == null ? "" : ": " + outcome.getMessage()));
        };
    }

    private Transport open(Repository repository, GitGrant grant, CloneCredential credential) throws IOException {
        URIish uri;
        try {
            uri = new URIish(grant.cloneUrl().toString());
        } catch (URISyntaxException e) {
            throw new GitUpstreamException("the task's clone URL is not a git URL", e);
        }
        Transport transport = Transport.open(repository, uri);
        if (transport instanceof TransportHttp http) {
            http.setHttpConnectionFactory(connections);
        }
        // the VCS credential, given to JGit only for the clone URL's own scheme, host and port
        transport.setCredentialsProvider(new GitCredentials(uri, credential.username(),
            credential.password().reveal()));
        transport.setTimeout(timeoutSeconds);
        return transport;
    }

    private static void delete(Repository repository, String name) throws IOException {
        RefUpdate update = repository.updateRef(name);
        update.setForceUpdate(true);
        update.delete();
    }

    private static void set(Repository repository, String name, ObjectId id) throws IOException {
        RefUpdate update = repository.updateRef(name);
        update.setNewObjectId(id);
        update.setForceUpdate(true);
        update.update();
    }
}
