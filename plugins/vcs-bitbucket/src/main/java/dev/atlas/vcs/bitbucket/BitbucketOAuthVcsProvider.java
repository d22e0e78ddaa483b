package dev.atlas.vcs.bitbucket;

import dev.atlas.api.HostContext;
import dev.atlas.api.vcs.AppSettings;
import dev.atlas.api.vcs.LoginException;
import dev.atlas.api.vcs.OAuthClientSettings;
import dev.atlas.api.vcs.OAuthLogin;
import dev.atlas.api.vcs.VcsUser;
import java.net.URI;

/** A {@link BitbucketVcsProvider} whose app has an OAuth client ({@code apps[j].oauth}), so it can log users in. */
final class BitbucketOAuthVcsProvider extends BitbucketVcsProvider implements OAuthLogin {
    private final OAuthClientSettings client;
    private volatile OAuthFlow login;

    BitbucketOAuthVcsProvider(AppSettings app, BitbucketFlavor flavor, BitbucketConfig config, OAuthClientSettings client) {
        super(app, flavor, config);
        this.client = client;
    }

    @Override
    public void open(HostContext host) throws Exception {
        super.open(host);
        login = flavor() == BitbucketFlavor.CLOUD
            ? new CloudLogin(app(), client, host.httpClient())
            : new DataCenterLogin(app(), client, host.httpClient());
    }

    @Override
    public URI authorizeUrl(URI callback, String state) {
        return opened().authorizeUrl(callback, state);
    }

    @Override
    public VcsUser exchange(String code, URI callback) throws LoginException {
        return opened().exchange(code, callback);
    }

    private OAuthFlow opened() {
        OAuthFlow l = login;
        if (l == null) {
            throw new IllegalStateException("provider for app " + app().appId() + " used before open()");
        }
        return l;
    }
}
