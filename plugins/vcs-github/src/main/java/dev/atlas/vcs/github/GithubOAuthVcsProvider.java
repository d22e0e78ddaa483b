package dev.atlas.vcs.github;

import dev.atlas.api.HostContext;
import dev.atlas.api.vcs.AppSettings;
import dev.atlas.api.vcs.LoginException;
import dev.atlas.api.vcs.OAuthClientSettings;
import dev.atlas.api.vcs.OAuthLogin;
import dev.atlas.api.vcs.VcsUser;
import java.net.URI;

/** A {@link GithubVcsProvider} whose app has an OAuth client ({@code apps[j].oauth}), so it can log users in. */
final class GithubOAuthVcsProvider extends GithubVcsProvider implements OAuthLogin {
    private final OAuthClientSettings client;
    private volatile GithubLogin login;

    GithubOAuthVcsProvider(AppSettings app, GithubConfig config, OAuthClientSettings client) {
        super(app, config);
        this.client = client;
    }

    @Override
    public void open(HostContext host) throws Exception {
        super.open(host);
        login = new GithubLogin(app(), client, host.httpClient());
    }

    @Override
    public URI authorizeUrl(URI callback, String state) {
        return opened().authorizeUrl(callback, state);
    }

    @Override
    public VcsUser exchange(String code, URI callback) throws LoginException {
        return opened().exchange(code, callback);
    }

    private GithubLogin opened() {
        GithubLogin l = login;
        if (l == null) {
            throw new IllegalStateException("provider for app " + app().appId() + " used before open()");
        }
        return l;
    }
}
