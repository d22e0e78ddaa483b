package dev.atlas.core.config;

import dev.atlas.api.config.Problems;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;

/** Reads {@code atlas.yaml} into a tree with its secret references resolved. */
public final class ConfigFiles {
    private ConfigFiles() {
    }

    /**
     * @throws ConfigException at once for a file that cannot be read or parsed (line and column named); unresolvable
     *     references are recorded in {@code problems} under their keys instead
     */
    public static Map<String, Object> readResolved(Path file, Function<String, String> environment, Problems problems)
        throws ConfigException {
        Map<String, Object> tree = YamlTree.read(file);
        return new SecretReferences(environment, file.getParent(), problems).resolve(tree);
    }
}
