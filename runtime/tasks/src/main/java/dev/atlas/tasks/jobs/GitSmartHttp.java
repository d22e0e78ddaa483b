package dev.atlas.tasks.jobs;

import dev.atlas.core.tokens.TaskTokens.GitGrant;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.jgit.errors.PackProtocolException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.AdvertiseRefsHook;
import org.eclipse.jgit.transport.PacketLineOut;
import org.eclipse.jgit.transport.PreReceiveHook;
import org.eclipse.jgit.transport.ReceiveCommand;
import org.eclipse.jgit.transport.ReceivePack;
import org.eclipse.jgit.transport.RefAdvertiser.PacketLineOutRefAdvertiser;
import org.eclipse.jgit.transport.ServiceMayNotContinueException;
import org.eclipse.jgit.transport.UploadPack;

/**
 * Git's smart HTTP protocol (stateless RPC, protocol v0) over a task's mirror, with JGit's server side: the ref
 * advertisement of {@code GET info/refs?service=...} and the answers to {@code POST git-upload-pack} and
 * {@code POST git-receive-pack}. The job sees only its task's refs (its {@code ref}, the push branch, HEAD); it may
 * want those tips, what they reach, and the task's commit itself.
 */
final class GitSmartHttp {
    static final String UPLOAD_PACK = "git-upload-pack";
    static final String RECEIVE_PACK = "git-receive-pack";

    private final long maxPackBytes;

    /** @param maxPackBytes the largest pack a push may bring (the HTTP body limit already bounds it) */
    GitSmartHttp(long maxPackBytes) {
        this.maxPackBytes = maxPackBytes;
    }

    /** The content type of the answer to {@code info/refs} for {@code service}. */
    static String advertisementType(String service) {
        return "application/x-" + service + "-advertisement";
    }

    /** The content type of the answer to a {@code POST} of {@code service}. */
    static String resultType(String service) {
        return "application/x-" + service + "-result";
    }

    /** The content type git sends with a {@code POST} of {@code service}. */
    static String requestType(String service) {
        return "application/x-" + service + "-request";
    }

    /** The refs a job of {@code grant} sees, by full name. */
    static Map<String, Ref> visibleRefs(Repository repository, GitGrant grant) throws IOException {
        Map<String, Ref> refs = new LinkedHashMap<>();
        List<String> names = new java.util.ArrayList<>(GitUpstream.candidates(grant.ref()));
        GitUpstream.branchRef(grant).ifPresent(names::add);
        for (String name : names) {
            Ref ref = repository.exactRef(name);
            if (ref != null) {
                refs.put(name, ref);
            }
        }
        Ref head = repository.exactRef(Constants.HEAD);
        if (head != null && head.isSymbolic() && refs.containsKey(head.getTarget().getName())) {
            refs.put(Constants.HEAD, head);
        }
        return refs;
    }

    /** The {@code info/refs} answer: {@code # service=<service>}, a flush, then the advertisement. */
    byte[] advertise(Repository repository, GitGrant grant, String service) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PacketLineOut out = new PacketLineOut(buffer);
        out.writeString("# service=" + service + "\n");
        out.end();
        PacketLineOutRefAdvertiser advertiser = new PacketLineOutRefAdvertiser(out);
        try {
            if (UPLOAD_PACK.equals(service)) {
                try (UploadPack upload = uploadPack(repository, grant)) {
                    upload.sendAdvertisedRefs(advertiser);
                }
            } else {
                receivePack(repository, grant, PreReceiveHook.NULL).sendAdvertisedRefs(advertiser);
            }
        } catch (ServiceMayNotContinueException e) {
            return error(e.getMessage());
        }
        return buffer.toByteArray();
    }

    /** The answer to a {@code POST git-upload-pack}: the negotiation's next round or the pack. */
    byte[] upload(Repository repository, GitGrant grant, InputStream request) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try (UploadPack upload = uploadPack(repository, grant)) {
            upload.uploadWithExceptionPropagation(request, buffer, null);
        } catch (ServiceMayNotContinueException | PackProtocolException e) {
            // the job asked for what it may not have: git shows "remote error: <message>"
            return buffer.size() > 0 ? buffer.toByteArray() : error(e.getMessage());
        }
        return buffer.toByteArray();
    }

    /** A push's status report, and its commands with their results. */
    record Pushed(byte[] report, List<ReceiveCommand> commands) {
    }

    /** The answer to a {@code POST git-receive-pack}: the status report, after {@code rules} decided each command. */
    Pushed receive(Repository repository, GitGrant grant, InputStream request, PreReceiveHook rules)
        throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        List<ReceiveCommand> commands = new java.util.ArrayList<>();
        // JGit forgets its commands once it answered: keep them (their results are set after the hook returns)
        ReceivePack receive = receivePack(repository, grant, (pack, pending) -> {
            commands.addAll(pack.getAllCommands());
            rules.onPreReceive(pack, pending);
        });
        receive.receive(request, buffer, null);
        return new Pushed(buffer.toByteArray(), commands);
    }

    private static UploadPack uploadPack(Repository repository, GitGrant grant) throws IOException {
        Map<String, Ref> refs = visibleRefs(repository, grant);
        ObjectId sha = ObjectId.fromString(grant.sha());
        UploadPack upload = new UploadPack(repository);
        upload.setBiDirectionalPipe(false);
        upload.setAdvertiseRefsHook(new AdvertiseRefsHook() {
            @Override
            public void advertiseRefs(UploadPack pack) {
                pack.setAdvertisedRefs(refs);
            }

            @Override
            public void advertiseRefs(ReceivePack pack) {
                throw new IllegalStateException("not a receive-pack");
            }
        });
        // advertises allow-reachable-sha1-in-want, so that the clone step may fetch the task's commit by id
        upload.setRequestPolicy(UploadPack.RequestPolicy.REACHABLE_COMMIT);
        UploadPack.RequestValidator reachable = new UploadPack.ReachableCommitRequestValidator();
        upload.setRequestValidator((pack, wants) -> {
            List<ObjectId> others = wants.stream().filter(w -> !w.equals(sha)).map(ObjectId::copy).toList();
            if (!others.isEmpty()) {
                reachable.checkWants(pack, others);
            }
        });
        return upload;
    }

    private ReceivePack receivePack(Repository repository, GitGrant grant, PreReceiveHook rules) throws IOException {
        Map<String, Ref> refs = visibleRefs(repository, grant);
        refs.remove(Constants.HEAD);
        Set<ObjectId> haves = repository.getObjectDatabase().has(ObjectId.fromString(grant.sha()))
            ? Set.of(ObjectId.fromString(grant.sha())) : Set.of();
        ReceivePack receive = new ReceivePack(repository);
        receive.setBiDirectionalPipe(false);
        receive.setAdvertiseRefsHook(new AdvertiseRefsHook() {
            @Override
            public void advertiseRefs(UploadPack pack) {
                throw new IllegalStateException("not an upload-pack");
            }

            @Override
            public void advertiseRefs(ReceivePack pack) throws IOException {
                pack.setAdvertisedRefs(refs, haves);
            }
        });
        receive.setAllowCreates(true);
        receive.setAllowDeletes(false);
        receive.setAllowNonFastForwards(false);
        receive.setAllowPushOptions(false);
        receive.setAtomic(true);
        receive.setCheckReceivedObjects(true);
        receive.setCheckReferencedObjectsAreReachable(true);
        receive.setMaxPackSizeLimit(maxPackBytes);
        receive.setPreReceiveHook(rules);
        return receive;
    }

    /** An {@code ERR} packet line: how a smart HTTP server tells git why it stops. */
    static byte[] error(String message) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PacketLineOut out = new PacketLineOut(buffer);
        out.writeString("ERR " + message + "\n");
        return buffer.toByteArray();
    }
}
