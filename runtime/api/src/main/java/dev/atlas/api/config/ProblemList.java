package dev.atlas.api.config;

import java.util.ArrayList;
import java.util.List;

/** A {@link Problems} that keeps every problem in the order found, as {@code key: message} lines. */
public final class ProblemList implements Problems {
    private final List<String> lines = new ArrayList<>();

    @Override
    public void add(String key, String message) {
        lines.add(key + ": " + message);
    }

    /** Adds every problem of {@code other}. */
    public void addAll(ProblemList other) {
        lines.addAll(other.lines);
    }

    public boolean isEmpty() {
        return lines.isEmpty();
    }

    /** The problems as {@code key: message} lines. */
    public List<String> lines() {
        return List.copyOf(lines);
    }

    @Override
    public String toString() {
        return String.join("\n", lines);
    }
}
