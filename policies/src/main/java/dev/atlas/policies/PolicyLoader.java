package dev.atlas.policies;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Chooses the policy for an app: {@code <policies.dir>/<appId>.yaml}, else {@code <policies.dir>/<vcs>.yaml}, else
 * the VCS plugin's built-in policy. A policy file may bring its own schema subset in a sibling {@code .graphqls}
 * file of the same base name ({@code gh-main.graphqls}); otherwise the plugin's schema subset is used.
 *
 * <p>Reads files only when {@link #load} is called (at start-up and by {@code atlas check}).
 */
public final class PolicyLoader {

    /** App and VCS ids become file names: nothing that could leave the folder or hide a file. */
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,127}");
    private static final long MAX_FILE_BYTES = 1 << 20;

    private final Optional<Path> directory;

    /** @param directory the admin's {@code policies.dir}, if configured */
    public PolicyLoader(Optional<Path> directory) {
        this.directory = directory;
    }

    /**
     * Loads and parses the policy that applies to {@code appId}.
     *
     * @param builtInPolicy the plugin's policy text ({@code ApiPolicyDefaults.defaultPolicy()})
     * @param builtInSchema the plugin's schema subset ({@code ApiPolicyDefaults.graphqlSchema()})
     * @throws PolicyException when an id is not a plain name, a file cannot be read, or the chosen policy is invalid
     */
    public LoadedPolicy load(String appId, String vcs, String builtInPolicy, Optional<String> builtInSchema)
            throws PolicyException {
        requireId("app id", appId);
        requireId("vcs id", vcs);
        if (directory.isPresent()) {
            for (String name : new String[] {appId, vcs}) {
                Path file = directory.get().resolve(name + ".yaml");
                if (Files.isRegularFile(file)) {
                    Path schemaFile = directory.get().resolve(name + ".graphqls");
                    Optional<String> schema = Files.isRegularFile(schemaFile) ? Optional.of(read(schemaFile)) : builtInSchema;
                    String origin = file.toString();
                    return new LoadedPolicy(ApiPolicy.parse(read(file), schema, origin), origin);
                }
            }
        }
        String origin = "built-in:" + vcs;
        return new LoadedPolicy(ApiPolicy.parse(builtInPolicy, builtInSchema, origin), origin);
    }

    private static void requireId(String what, String id) throws PolicyException {
        if (id == null || !ID.matcher(id).matches()) {
            throw new PolicyException(what + " '" + Texts.clip(id, 64) + "' cannot name a policy file");
        }
    }

    private static String read(Path file) throws PolicyException {
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new PolicyException(file + ": larger than " + MAX_FILE_BYTES + " bytes");
            }
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file))).toString();
        } catch (CharacterCodingException e) {
            throw new PolicyException(file + ": not UTF-8 text", e);
        } catch (IOException e) {
            throw new PolicyException(file + ": cannot be read: " + e.getMessage(), e);
        }
    }
}
