package dev.atlas.patcher;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The result files a job's own containers left in {@code $ATLAS_RESULTS_DIR}: every {@code *.json}, in name order
 * (SPEC §6). The folder was written by the task's code, so a file is read only when it is a regular file (a symbolic
 * link could point at the secrets dir, which this program sees and the task did not), its name is one Atlas accepts
 * ({@code [A-Za-z0-9._-]{1,128}}, not the reserved {@value #SUMMARY_NAME}), it is at most {@value #MAX_BYTES} bytes
 * (Atlas's own limit, {@code tasks.results.maxBytes}, answers 413 above its value) and it is one JSON document with no key
 * twice in an object (what Atlas accepts). Anything else is skipped with the reason.
 */
final class ResultFiles {
    /** The name of the summary {@code atlas report} posts last; a task's file of that name is skipped. */
    static final String SUMMARY_NAME = "zz-atlas-report.json";
    /**
     * Larger files are not read (the report part runs in a small container); Atlas's own limit,
     * {@code tasks.results.maxBytes} (8 MiB by default), refuses smaller ones with 413.
     */
    static final long MAX_BYTES = 64L << 20;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    private static final ObjectMapper STRICT = JsonMapper.builder()
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .build();

    /** One {@code *.json} entry of the folder: its bytes when it may be posted, else why not. */
    record Entry(String name, byte[] body, String skipped) {
        boolean postable() {
            return skipped == null;
        }
    }

    private ResultFiles() {
    }

    /** Every {@code *.json} entry in {@code dir}, in name order; none when the folder does not exist. */
    static List<Entry> list(Path dir) throws IOException {
        List<Path> files;
        try (Stream<Path> listing = Files.list(dir)) {
            files = listing.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList();
        } catch (NoSuchFileException e) {
            return List.of();
        }
        List<Entry> entries = new ArrayList<>();
        for (Path file : files) {
            entries.add(read(file));
        }
        return entries;
    }

    private static Entry read(Path file) {
        String name = file.getFileName().toString();
        if (!NAME.matcher(name).matches()) {
            return new Entry(printable(name), null, "name not allowed (letters, digits, '.', '_', '-'; at most 128)");
        }
        if (name.equals(SUMMARY_NAME)) {
            return new Entry(name, null, "reserved for Atlas's own summary");
        }
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class,
                LinkOption.NOFOLLOW_LINKS);
            if (!attributes.isRegularFile()) {
                return new Entry(name, null, "not a regular file");
            }
            if (attributes.size() > MAX_BYTES) {
                return new Entry(name, null, "over the limit (" + attributes.size() + " bytes)");
            }
            byte[] body = Files.readAllBytes(file);
            STRICT.readTree(body);
            if (body.length == 0) {
                return new Entry(name, null, "not JSON (empty)");
            }
            return new Entry(name, body, null);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return new Entry(name, null, e.getMessage() != null && e.getMessage().startsWith("Duplicate field")
                ? "not JSON Atlas accepts (a key appears twice)" : "not JSON");
        } catch (IOException e) {
            return new Entry(name, null, "unreadable (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** A name as it may be shown in a summary: one line, bounded. */
    private static String printable(String name) {
        String line = name.replaceAll("[\\x00-\\x1f\\x7f]", "?");
        return line.length() > 140 ? line.substring(0, 140) + "…" : line;
    }
}
