package dev.atlas.api.vcs;

import java.net.URI;

/**
 * Capability of a {@link VcsProvider} whose VCS has a GraphQL API (GitHub, GitLab). Only such an app's
 * {@code POST /vcs/graphql} is checked and forwarded; for an app whose provider does not implement this, Atlas answers
 * 404 {@code not_found} ("the app's VCS has no GraphQL API") without asking its policy or the VCS, and
 * {@code atlas policy test --graphql} says the same. Credentials still come from {@link ApiCredentials}.
 */
public interface GraphqlApi {

    /** What Atlas answers (and {@code atlas policy test} prints) for an app whose provider is not a GraphqlApi. */
    String NOT_OFFERED = "the app's VCS has no GraphQL API";

    /**
     * Where GraphQL requests go ({@code https://api.github.com/graphql}, {@code https://ghe/api/graphql},
     * {@code https://gitlab.example/api/graphql}). Called for each forwarded GraphQL request; does no I/O.
     */
    URI graphqlEndpoint();
}
