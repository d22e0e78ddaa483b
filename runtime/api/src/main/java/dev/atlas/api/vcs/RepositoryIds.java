package dev.atlas.api.vcs;

/**
 * Capability of a {@link VcsProvider} whose API addresses a repository by the VCS's own id rather than by its path
 * (GitLab's numeric project id: the URL-encoded path form holds an encoded {@code /}, which the proxy's path
 * normalisation refuses). Atlas asks it itself, with the app's credentials, when it builds a job that opens a pull
 * request; the job never asks the VCS. The id is opaque to the host: it goes into the job's proxy token and
 * {@code task.json} as text.
 */
public interface RepositoryIds {

    /**
     * The id of the repository at {@code repositoryPath}.
     *
     * @param repositoryPath the clone URL's path without slashes at the ends and without {@code .git}, e.g.
     *     {@code group/sub/project}
     * @throws CredentialException when the VCS cannot be asked ({@link CredentialException#unreachable()}) or does
     *     not know the repository
     */
    String repositoryId(String repositoryPath) throws CredentialException;
}
