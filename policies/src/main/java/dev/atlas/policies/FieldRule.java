package dev.atlas.policies;

import java.util.Set;

/**
 * One allowed {@code Type.field}. {@code arguments} is {@code null} when every argument the schema subset declares
 * is allowed, else the only argument names the field may be given.
 */
record FieldRule(String coordinate, Set<String> arguments) {

    boolean allowsArgument(String name) {
        return arguments == null || arguments.contains(name);
    }
}
