package dev.atlas.identity.store;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atlas.core.http.AtlasException;
import dev.atlas.core.http.ErrorKind;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * {@code auth.storage: file}: one JSON file per record under a folder ({@code <data>/auth}), so a restart keeps every
 * login's refresh chain. Writes go to a temporary file moved into place atomically; every change holds an exclusive
 * lock on {@code .lock}, so processes sharing the folder (one volume, several Atlas processes on one host) still use a
 * code once. It is not meant for a network file system shared by replicas: use {@code kubernetes} there.
 */
public final class FileLoginStore implements LoginStore {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> RECORD = new TypeReference<>() { };

    /** File locks belong to the process: threads (and stores over the same folder) of one process queue here. */
    private static final Object PROCESS_LOCK = new Object();

    private final Path dir;

    private FileLoginStore(Path dir) {
        this.dir = dir;
    }

    /** Opens (creating) the store in {@code dir}. */
    public static FileLoginStore open(Path dir) throws IOException {
        for (Kind kind : Kind.values()) {
            Files.createDirectories(dir.resolve(kind.label()));
        }
        return new FileLoginStore(dir);
    }

    private Path file(Kind kind, String key) {
        return dir.resolve(kind.label()).resolve(LoginStore.checkKey(key) + ".json");
    }

    @Override
    public boolean create(Kind kind, String key, Map<String, String> data, Instant expiresAt) {
        Path file = file(kind, key);
        return locked(() -> {
            if (Files.exists(file)) {
                return false;
            }
            write(file, data, expiresAt, 1);
            return true;
        });
    }

    @Override
    public Optional<Entry> get(Kind kind, String key) {
        try {
            return Optional.of(read(file(kind, key)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw unavailable(e);
        }
    }

    @Override
    public boolean replace(Kind kind, String key, String expectedVersion, Map<String, String> data,
        Instant expiresAt) {
        Path file = file(kind, key);
        return locked(() -> {
            Optional<Entry> current = get(kind, key);
            if (current.isEmpty() || !current.get().version().equals(expectedVersion)) {
                return false;
            }
            write(file, data, expiresAt, Long.parseLong(expectedVersion) + 1);
            return true;
        });
    }

    @Override
    public int sweep(Instant now) {
        return locked(() -> {
            int removed = 0;
            for (Kind kind : Kind.values()) {
                try (Stream<Path> files = Files.list(dir.resolve(kind.label()))) {
                    for (Path file : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".json"))::iterator) {
                        if (expired(file, now)) {
                            Files.deleteIfExists(file);
                            removed++;
                        }
                    }
                }
            }
            return removed;
        });
    }

    private static boolean expired(Path file, Instant now) {
        try {
            return !now.isBefore(read(file).expiresAt());
        } catch (IOException | RuntimeException e) {
            // unreadable (a crash mid-write leaves only temporary files, so this is damage): not a login any more
            return true;
        }
    }

    @Override
    public String describe() {
        return "file " + dir;
    }

    private static Entry read(Path file) throws IOException {
        Map<String, Object> json = JSON.readValue(Files.readAllBytes(file), RECORD);
        @SuppressWarnings("unchecked")
        Map<String, String> data = (Map<String, String>) json.get("data");
        return new Entry(data, Instant.parse((String) json.get("expiresAt")), String.valueOf(json.get("version")));
    }

    private static void write(Path file, Map<String, String> data, Instant expiresAt, long version)
        throws IOException {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("version", version);
        json.put("expiresAt", expiresAt.toString());
        json.put("data", data);
        Path temp = file.resolveSibling("." + UUID.randomUUID() + ".tmp");
        try {
            Files.write(temp, JSON.writeValueAsBytes(json));
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** A change under the folder's lock, which other processes respect too. */
    private <T> T locked(IoAction<T> action) {
        synchronized (PROCESS_LOCK) {
            try (FileChannel channel = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock held = channel.lock()) {
                return action.run();
            } catch (IOException e) {
                throw unavailable(e);
            }
        }
    }

    private static AtlasException unavailable(IOException e) {
        return new AtlasException(ErrorKind.SERVICE_UNAVAILABLE, "the login store cannot be read or written",
            Map.of(), Optional.empty(), e);
    }

    @FunctionalInterface
    private interface IoAction<T> {
        T run() throws IOException;
    }
}
