package dev.atlas.tasks.jobs;

import dev.atlas.core.http.AtlasException;
import dev.atlas.core.http.ErrorKind;
import dev.atlas.core.http.InboundRequest;
import dev.atlas.core.http.JsonResponses;
import dev.atlas.core.http.RequestCapture;
import dev.atlas.core.keys.TokenRejected;
import dev.atlas.core.tokens.TaskTokens;
import dev.atlas.core.outbox.SpooledWebhook;
import dev.atlas.core.outbox.WebhookSpool;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST {jobUrl}/jobs/{taskId}/results} ({@code resultReceiver}): one result file of a job. In order: the result
 * token ({@code Authorization: Bearer}, {@link TaskTokens#verifyResultToken} for this task) → 401; the file name
 * ({@code X-Atlas-Result-Name}, {@value #NAME_RULE}) → 400; {@code Content-Type: application/json} → 415; at most
 * {@code tasks.results.maxBytes} → 413; one JSON document → 415, a key twice → 400. Then the result is recorded in the
 * results spool (on disk and synced) and only then answered 202 {@code {"id"}}; the name is the idempotency key per
 * task and file, so a repeat answers 202 {@code "duplicate": true} and is not forwarded twice. Delivery to the task's
 * {@code resultUrl} (carried in the token) is the spool's and {@code resultDelivery}'s.
 */
public final class ResultReceiver implements Processor {
    private static final Logger LOG = LoggerFactory.getLogger(ResultReceiver.class);
    static final String NAME_RULE = "[A-Za-z0-9._-]{1,128}";
    private static final Pattern NAME = Pattern.compile(NAME_RULE);
    private static final Pattern TASK_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private final TaskTokens tokens;
    private final WebhookSpool spool;
    private final Runnable wakeDelivery;
    private final long maxBytes;
    private final ResultOutcomes outcomes;
    private final Clock clock;

    ResultReceiver(TaskTokens tokens, WebhookSpool spool, Runnable wakeDelivery, long maxBytes,
        ResultOutcomes outcomes, Clock clock) {
        this.tokens = tokens;
        this.spool = spool;
        this.wakeDelivery = wakeDelivery;
        this.maxBytes = maxBytes;
        this.outcomes = outcomes;
        this.clock = clock;
    }

    @Override
    public void process(Exchange exchange) {
        InboundRequest request = RequestCapture.of(exchange);
        String[] segments = request.rawPath().split("/", -1);
        if (segments.length != 4 || !segments[1].equals("jobs") || !segments[3].equals("results")
            || !TASK_ID.matcher(segments[2]).matches()) {
            throw AtlasException.notFound("no such results endpoint");
        }
        String taskId = segments[2];
        byte[] body = request.body();
        try {
            TaskTokens.ResultGrant grant = authenticate(request, taskId);
            String name = name(request);
            ResultDocument.checkType(request.header("Content-Type"));
            if (body.length > maxBytes) {
                throw new ResultDocument.Refused(ErrorKind.PAYLOAD_TOO_LARGE, "too_large",
                    "a result is at most " + maxBytes + " bytes");
            }
            ResultDocument.checkJson(body);
            record(exchange, request, grant, name);
        } catch (ResultDocument.Refused refused) {
            outcomes.refused(taskId, refused.outcome(), refused.kind().status(), body.length);
            throw refused;
        }
    }

    private TaskTokens.ResultGrant authenticate(InboundRequest request, String taskId) {
        Optional<String> header = request.header("Authorization");
        if (request.headerCount("Authorization") != 1 || header.isEmpty()
            || !header.get().regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new ResultDocument.Refused(ErrorKind.UNAUTHORIZED, "unauthorized", "a result token is required");
        }
        try {
            return tokens.verifyResultToken(header.get().substring(7).trim(), taskId);
        } catch (TokenRejected e) {
            LOG.info("result token for task {} rejected: {}", taskId, e.getMessage());
            throw new ResultDocument.Refused(ErrorKind.UNAUTHORIZED, "unauthorized", "result token rejected");
        }
    }

    private static String name(InboundRequest request) {
        Optional<String> name = request.header(ResultOutcomes.NAME_HEADER);
        if (request.headerCount(ResultOutcomes.NAME_HEADER) != 1 || name.isEmpty()
            || !NAME.matcher(name.get()).matches()) {
            throw new ResultDocument.Refused(ErrorKind.INVALID_REQUEST, "invalid_name",
                ResultOutcomes.NAME_HEADER + " must be one file name of " + NAME_RULE);
        }
        return name.get();
    }

    private void record(Exchange exchange, InboundRequest request, TaskTokens.ResultGrant grant, String name) {
        String hash = sha256(grant.appId() + "\n" + grant.taskId() + "\n" + name);
        String id = "result-" + hash.substring(0, 40);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(ResultOutcomes.TASK_HEADER, grant.taskId());
        headers.put(ResultOutcomes.NAME_HEADER, name);
        Instant now = clock.instant();
        byte[] body = request.body();
        SpooledWebhook result = new SpooledWebhook(hash, id, "", grant.appId(), now,
            request.header("Content-Type"), headers, body, 0, now,
            Optional.empty(), Optional.of(grant.resultUrl()));
        WebhookSpool.Acceptance acceptance;
        try {
            acceptance = spool.accept(result);
        } catch (IOException | RuntimeException e) {
            outcomes.refused(grant.taskId(), "spool_unavailable", 503, body.length);
            LOG.error("cannot record result {} of task {}: {}", name, grant.taskId(), e.toString());
            throw AtlasException.unavailable("the results spool cannot store this result now", 10, e);
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("id", id);
        if (acceptance == WebhookSpool.Acceptance.DUPLICATE) {
            outcomes.duplicate(grant.taskId(), name, body.length);
            answer.put("duplicate", true);
        } else {
            outcomes.recorded(grant.taskId(), name, body.length);
            wakeDelivery.run();
        }
        JsonResponses.write(exchange, 202, answer);
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
