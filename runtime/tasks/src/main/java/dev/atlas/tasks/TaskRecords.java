package dev.atlas.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atlas.core.http.JsonResponses;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What this replica has accepted: one small file per task under {@code <data>/tasks/accepted/} (named by a hash of
 * the task id) plus a bounded in-memory cache. A repeat of a known task is answered from here without calling the
 * driver. This is an optimisation, not the guarantee: replicas do not share it, and a lost file only means the
 * repeat reaches the driver, which is idempotent by task id.
 */
final class TaskRecords {
    private static final Logger LOG = LoggerFactory.getLogger(TaskRecords.class);
    private static final int CACHE = 10_000;

    /** An accepted task; {@code appId} is empty in records written before task ids were scoped per app. */
    record Accepted(String taskId, String appId, String type, String driver, String jobRef) {
    }

    private final Path dir;
    private final Map<String, Accepted> cache = Collections.synchronizedMap(new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Accepted> eldest) {
            return size() > CACHE;
        }
    });

    private TaskRecords(Path dir) {
        this.dir = dir;
    }

    static TaskRecords open(Path dir) throws IOException {
        Files.createDirectories(dir);
        return new TaskRecords(dir);
    }

    Optional<Accepted> find(String taskId) {
        Accepted known = cache.get(taskId);
        if (known != null) {
            return Optional.of(known);
        }
        Path file = file(taskId);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            JsonNode json = JsonResponses.MAPPER.readTree(Files.readAllBytes(file));
            Accepted read = new Accepted(json.path("taskId").asText(), json.path("appId").asText(""),
                json.path("type").asText(),
                json.path("driver").asText(), json.path("jobRef").isNull() ? null : json.path("jobRef").asText());
            if (!read.taskId().equals(taskId)) {
                return Optional.empty();
            }
            cache.put(taskId, read);
            return Optional.of(read);
        } catch (IOException e) {
            // an unreadable record sends the repeat to the driver, which answers it idempotently
            LOG.warn("task record {} unreadable: {}", file.getFileName(), e.getClass().getSimpleName());
            return Optional.empty();
        }
    }

    void save(Accepted accepted) {
        cache.put(accepted.taskId(), accepted);
        Path target = file(accepted.taskId());
        // unique, not secret: the thread's own generator, not the SecureRandom behind UUID that every thread shares
        Path tmp = dir.resolve(".tmp-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        try {
            Files.write(tmp, JsonResponses.toBytes(accepted));
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            LOG.warn("cannot record task {} on disk: {}", accepted.taskId(), e.getClass().getSimpleName());
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // nothing more to do: the record is an optimisation
            }
        }
    }

    private Path file(String taskId) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(taskId.getBytes(StandardCharsets.UTF_8));
            return dir.resolve(HexFormat.of().formatHex(digest) + ".json");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
