package dev.atlas.vcs.gitea;

import dev.atlas.api.HostContext;
import dev.atlas.api.vcs.AppSettings;
import dev.atlas.api.vcs.LoginException;
import dev.atlas.api.vcs.OAuthClientSettings;
import dev.atlas.api.vcs.OAuthLogin;
import dev.atlas.api.vcs.VcsUser;
import dev.atlas.plugin.support.OpenedPart;
import java.net.URI;

/** A {@link GiteaVcsProvider} whose app has an OAuth client ({@code apps[j].oauth}), so it can log users in. */
final class GiteaOAuthVcsProvider extends GiteaVcsProvider implements OAuthLogin {
    private final OAuthClientSettings client;
    private final OpenedPart<GiteaLogin> login = new OpenedPart<>("provider for app " + app().appId());

    GiteaOAuthVcsProvider(AppSettings app, GiteaConfig config, OAuthClientSettings client) {
        super(app, config);
        this.client = client;
    }

    @Override
    public void open(HostContext host) throws Exception {
        super.open(host);
        login.set(new GiteaLogin(app(), client, host.httpClient()));
    }

    @Override
    public URI authorizeUrl(URI callback, String state) {
        return login.get().authorizeUrl(callback, state);
    }

    @Override
    public VcsUser exchange(String code, URI callback) throws LoginException {
        return login.get().exchange(code, callback);
    }
}
