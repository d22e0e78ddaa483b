package dev.atlas.core.boot;

import dev.atlas.api.config.Problems;
import dev.atlas.api.vcs.ApiPolicyDefaults;
import dev.atlas.api.vcs.VcsProvider;
import dev.atlas.core.config.AtlasConfig;
import dev.atlas.policies.LoadedPolicy;
import dev.atlas.policies.PolicyException;
import dev.atlas.policies.PolicyLoader;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Loads each app's API policy: the admin's {@code policies.dir/<appId>.yaml}, else {@code <vcs>.yaml}, else the
 * VCS plugin's built-in one. A policy that does not parse is a start-up problem under {@code policies.dir}; an app
 * whose plugin ships no policy and that has no admin policy gets none, and the proxy denies all its calls.
 */
final class Policies {
    private Policies() {
    }

    static Map<String, LoadedPolicy> load(AtlasConfig config, Map<String, VcsProvider> providers, Problems problems) {
        PolicyLoader loader = new PolicyLoader(config.policiesDir());
        Map<String, LoadedPolicy> policies = new LinkedHashMap<>();
        for (AtlasConfig.App app : config.apps()) {
            VcsProvider provider = providers.get(app.id());
            if (provider == null) {
                continue;
            }
            String builtIn = "";
            Optional<String> schema = Optional.empty();
            if (provider instanceof ApiPolicyDefaults defaults) {
                try {
                    builtIn = defaults.defaultPolicy();
                    schema = defaults.graphqlSchema();
                } catch (RuntimeException e) {
                    problems.add("policies.dir", "the " + app.vcs() + " plugin's built-in policy cannot be read: "
                        + e.getMessage());
                    continue;
                }
            }
            try {
                if (builtIn.isEmpty() && config.policiesDir().isEmpty()) {
                    continue;
                }
                policies.put(app.id(), loader.load(app.id(), app.vcs(), builtIn.isEmpty() ? "version: 1\n" : builtIn,
                    schema));
            } catch (PolicyException e) {
                problems.add("policies.dir", "policy for app " + app.id() + ": " + e.getMessage());
            }
        }
        return policies;
    }
}
