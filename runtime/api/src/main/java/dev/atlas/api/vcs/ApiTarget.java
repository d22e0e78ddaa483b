package dev.atlas.api.vcs;

import java.util.Optional;

/**
 * What a proxied API call or a clone is about, as far as credentials care.
 *
 * @param installationId the GitHub App installation named by the caller ({@code X-Installation-ID}), if any
 * @param owner the repository owner (user, organisation or workspace) when the path or task names one
 * @param repository the repository name when known
 */
public record ApiTarget(Optional<String> installationId, Optional<String> owner, Optional<String> repository) {

    public static ApiTarget none() {
        return new ApiTarget(Optional.empty(), Optional.empty(), Optional.empty());
    }
}
