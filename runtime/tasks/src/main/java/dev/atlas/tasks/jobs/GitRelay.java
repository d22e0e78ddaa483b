package dev.atlas.tasks.jobs;

import dev.atlas.api.vcs.ApiCredentials;
import dev.atlas.api.vcs.ApiTarget;
import dev.atlas.api.vcs.CloneCredential;
import dev.atlas.api.vcs.CredentialException;
import dev.atlas.api.vcs.GitAccess;
import dev.atlas.core.tokens.TaskTokens.GitGrant;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.PreReceiveHook;
import org.eclipse.jgit.transport.ReceiveCommand;
import org.eclipse.jgit.transport.ReceivePack;

/**
 * One task's git traffic between its job and the VCS: keeps the task's mirror up to date with the VCS (with a read
 * credential minted for that fetch and revoked right after), serves the job from the mirror, and passes a push the
 * {@link GitPushRules} allow on to the VCS (with a write credential minted for that push and revoked right after).
 * A job's git on another replica works too: a mirror this replica has not refreshed for {@link #FRESH_FOR} is refreshed
 * before it serves a request.
 */
final class GitRelay {
    /** How long a refresh from the VCS serves this replica's later requests of the same task (one clone, one push). */
    static final Duration FRESH_FOR = Duration.ofSeconds(60);

    /** How a request ended, for the metric and the log line. */
    enum Outcome { OK, PUSHED, REFUSED }

    /** The credentials of the task's app, and the task's repository as they name it. */
    record Vcs(ApiCredentials credentials, ApiTarget target) {
    }

    private final GitMirror mirrors;
    private final GitUpstream upstream;
    private final GitSmartHttp smartHttp;
    private final GitPushRules rules;
    private final Clock clock;

    GitRelay(GitMirror mirrors, GitUpstream upstream, GitSmartHttp smartHttp, GitPushRules rules, Clock clock) {
        this.mirrors = mirrors;
        this.upstream = upstream;
        this.smartHttp = smartHttp;
        this.rules = rules;
        this.clock = clock;
    }

    /** {@code info/refs}: always refreshed from the VCS first, so the job sees where the VCS's refs are now. */
    byte[] advertise(GitGrant grant, Vcs vcs, String service) throws IOException, CredentialException {
        ReentrantLock lock = mirrors.lock(grant.taskId());
        lock.lock();
        try (Repository repository = mirrors.open(grant.taskId())) {
            refresh(repository, grant, vcs);
            return smartHttp.advertise(repository, grant, service);
        } finally {
            lock.unlock();
        }
    }

    /** {@code POST git-upload-pack}. */
    byte[] upload(GitGrant grant, Vcs vcs, InputStream request) throws IOException, CredentialException {
        try (Repository repository = mirrors.open(grant.taskId())) {
            ReentrantLock lock = mirrors.lock(grant.taskId());
            lock.lock();
            try {
                refreshIfStale(repository, grant, vcs);
            } finally {
                lock.unlock();
            }
            return smartHttp.upload(repository, grant, request);
        }
    }

    /** {@code POST git-receive-pack}: the report says, per command, whether it reached the VCS. */
    Received receive(GitGrant grant, Vcs vcs, InputStream request) throws IOException, CredentialException {
        ReentrantLock lock = mirrors.lock(grant.taskId());
        lock.lock();
        try (Repository repository = mirrors.open(grant.taskId())) {
            refreshIfStale(repository, grant, vcs);
            GitSmartHttp.Pushed pushed = smartHttp.receive(repository, grant, request,
                new PushHook(repository, grant, vcs));
            List<String> reasons = new ArrayList<>();
            Outcome outcome = Outcome.OK;
            for (ReceiveCommand command : pushed.commands()) {
                if (command.getResult() == ReceiveCommand.Result.OK) {
                    outcome = outcome == Outcome.REFUSED ? outcome : Outcome.PUSHED;
                } else {
                    outcome = Outcome.REFUSED;
                    reasons.add(command.getRefName() + ": " + command.getResult()
                        + (command.getMessage() == null ? "" : " (" + command.getMessage() + ")"));
                }
            }
            return new Received(pushed.report(), outcome, reasons);
        } finally {
            lock.unlock();
        }
    }

    /** The answer to a push, with what happened to it. */
    record Received(byte[] report, Outcome outcome, List<String> reasons) {
    }

    private void refreshIfStale(Repository repository, GitGrant grant, Vcs vcs) throws IOException,
        CredentialException {
        boolean fresh = mirrors.refreshedAt(repository).isAfter(clock.instant().minus(FRESH_FOR));
        if (!fresh || !repository.getObjectDatabase().has(ObjectId.fromString(grant.sha()))) {
            refresh(repository, grant, vcs);
        }
    }

    private void refresh(Repository repository, GitGrant grant, Vcs vcs) throws IOException, CredentialException {
        CloneCredential credential = vcs.credentials().cloneCredential(vcs.target(), GitAccess.READ);
        try {
            upstream.refresh(repository, grant, credential);
            mirrors.markRefreshed(repository);
        } finally {
            vcs.credentials().revoke(credential);
        }
    }

    /**
     * Decides every command of a push before any reaches the VCS (a push is all or nothing): the rules first; only
     * when all pass is the one allowed command pushed, and the VCS refusing it rejects it for the job's git too.
     */
    private final class PushHook implements PreReceiveHook {
        private final Repository repository;
        private final GitGrant grant;
        private final Vcs vcs;

        PushHook(Repository repository, GitGrant grant, Vcs vcs) {
            this.repository = repository;
            this.grant = grant;
            this.vcs = vcs;
        }

        @Override
        public void onPreReceive(ReceivePack pack, Collection<ReceiveCommand> commands) {
            if (commands.isEmpty()) {
                return;
            }
            String branch = GitUpstream.branchRef(grant).orElseThrow();
            List<String> baseRefs = GitUpstream.candidates(grant.ref());
            for (ReceiveCommand command : commands) {
                Optional<String> refusal;
                try {
                    refusal = rules.refusal(repository, command, branch, baseRefs);
                } catch (IOException e) {
                    refusal = Optional.of("the pushed commits could not be read");
                }
                if (refusal.isPresent()) {
                    refuseAll(commands, refusal.get());
                    return;
                }
            }
            for (ReceiveCommand command : commands) {
                forward(command);
            }
        }

        private void forward(ReceiveCommand command) {
            String reason;
            try {
                CloneCredential credential = vcs.credentials().cloneCredential(vcs.target(), GitAccess.WRITE);
                try {
                    GitUpstream.PushOutcome pushed = upstream.push(repository, grant, credential,
                        command.getRefName(), command.getNewId(), command.getOldId());
                    if (pushed.accepted()) {
                        return;
                    }
                    reason = pushed.reason();
                } finally {
                    vcs.credentials().revoke(credential);
                }
            } catch (CredentialException e) {
                reason = "Atlas has no credential for the VCS: " + e.getMessage();
            } catch (IOException e) {
                reason = "the VCS could not be reached";
            }
            command.setResult(ReceiveCommand.Result.REJECTED_OTHER_REASON, reason);
        }

        private void refuseAll(Collection<ReceiveCommand> commands, String reason) {
            for (ReceiveCommand command : commands) {
                command.setResult(ReceiveCommand.Result.REJECTED_OTHER_REASON, reason);
            }
        }
    }
}
