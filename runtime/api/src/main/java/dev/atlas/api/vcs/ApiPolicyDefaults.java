package dev.atlas.api.vcs;

import java.util.Optional;

/**
 * Capability of a {@link VcsProvider}: the built-in allow-list for its VCS API, used unless the admin's policy
 * folder overrides it. The policy format is described in the project's {@code policies/README.md}.
 */
public interface ApiPolicyDefaults {

    /** The built-in policy (YAML text). Called once at start; reads a resource of the plugin. */
    String defaultPolicy();

    /**
     * The GraphQL schema subset (SDL) the policy's field rules are checked against, for VCSs with a GraphQL API.
     * It covers the allowed types and every interface or union through which content could be reached; fields
     * outside it are denied.
     */
    Optional<String> graphqlSchema();
}
