package dev.atlas.identity.store;

import org.apache.camel.support.service.ServiceSupport;

/** Closes a {@link LoginStore} (its Kubernetes client) when Camel stops, after the routes that use it. */
public final class LoginStoreService extends ServiceSupport {
    private final LoginStore store;

    public LoginStoreService(LoginStore store) {
        this.store = store;
    }

    @Override
    protected void doStop() {
        store.close();
    }
}
