package dev.atlas.core.keys;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The folder {@code auth.signingKeys} on disk: signing keys as JWK files ({@code *.json}: one private JWK per file,
 * or a JWK set such as {@code jwks.json}) and the sealing key ({@code sealing-key.jwk}). Files holding private keys are
 * created {@code 0600} in a {@code 0700} folder, and written under a temporary name first so that a replica reading
 * the shared folder never sees half a key. Nothing here logs key material; messages name files only.
 */
final class KeyFolder {
    private static final Logger LOG = LoggerFactory.getLogger(KeyFolder.class);
    private static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");

    private KeyFolder() {
    }

    /** Creates the folder ({@code 0700}) when it does not exist yet. */
    static void ensure(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        if (posix(dir.getParent() == null ? dir : dir.getParent())) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(OWNER_DIR));
        } else {
            Files.createDirectories(dir);
        }
    }

    /** Every JWK in the {@code *.json} files of {@code dir}, in file-name order. */
    static List<JWK> readSigningKeys(Path dir) throws IOException {
        List<JWK> keys = new ArrayList<>();
        for (Path file : jsonFiles(dir)) {
            warnWhenReadableByOthers(file);
            String text = Files.readString(file, StandardCharsets.UTF_8);
            try {
                Map<String, Object> json = JSONObjectUtils.parse(text);
                if (json.containsKey("keys")) {
                    keys.addAll(JWKSet.parse(json).getKeys());
                } else {
                    keys.add(JWK.parse(json));
                }
            } catch (ParseException e) {
                // the parser's message may quote the file's content: name the file only
                throw new IOException(file + " is not a JWK or a JWK set");
            }
        }
        return keys;
    }

    /** A value that changes whenever a key file is added, removed or rewritten (to notice a rotation). */
    static String listing(Path dir) throws IOException {
        StringBuilder listing = new StringBuilder();
        for (Path file : jsonFiles(dir)) {
            listing.append(file.getFileName()).append('@').append(Files.getLastModifiedTime(file).toMillis())
                .append('/').append(Files.size(file)).append(';');
        }
        return listing.toString();
    }

    /**
     * Writes {@code content} to {@code dir/name}, readable by the owner only. With {@code replace} false an existing
     * file is kept (another replica sharing the folder won the race) and false is returned.
     */
    static boolean writePrivate(Path dir, String name, String content, boolean replace) throws IOException {
        Path target = dir.resolve(name);
        FileAttribute<?>[] attributes = posix(dir)
            ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_FILE)} : new FileAttribute<?>[0];
        // a hidden temporary name without .json: never read as a key while it is being written
        Path temp = Files.createTempFile(dir, ".key-", ".part", attributes);
        try {
            Files.writeString(temp, content, StandardCharsets.UTF_8);
            if (replace) {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                return true;
            }
            try {
                Files.move(temp, target);
                return true;
            } catch (FileAlreadyExistsException e) {
                return false;
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static List<Path> jsonFiles(Path dir) throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.filter(p -> p.getFileName().toString().endsWith(".json") && Files.isRegularFile(p))
                .sorted().toList();
        }
    }

    static void warnWhenReadableByOthers(Path file) {
        try {
            if (posix(file)) {
                Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
                if (permissions.stream().anyMatch(p -> !OWNER_FILE.contains(p) && p != PosixFilePermission.OWNER_EXECUTE)) {
                    LOG.warn("key file {} is readable by others than its owner: chmod 600 it", file);
                }
            }
        } catch (IOException | UnsupportedOperationException e) {
            LOG.debug("cannot read permissions of {}", file);
        }
    }

    private static boolean posix(Path path) {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }
}
