package dev.atlas.core.config;

import java.util.List;

/** The configuration is invalid; {@link #problems()} lists every problem as {@code key: message}. */
public class ConfigException extends Exception {
    private final List<String> problems;

    public ConfigException(List<String> problems) {
        super("invalid configuration:\n  " + String.join("\n  ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
