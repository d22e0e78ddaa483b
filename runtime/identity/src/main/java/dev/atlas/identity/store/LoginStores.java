package dev.atlas.identity.store;

import dev.atlas.api.OutboundSettings;
import dev.atlas.core.config.AtlasConfig;
import dev.atlas.plugin.support.KubernetesOutbound;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;

/** Opens the {@link LoginStore} {@code auth.storage} names. */
public final class LoginStores {
    private static final int CONNECT_TIMEOUT_MS = 5_000;
    private static final int REQUEST_TIMEOUT_MS = 10_000;

    private LoginStores() {
    }

    /** The store of {@code storage}; connects to nothing yet (a Kubernetes client is lazy). */
    public static LoginStore open(AtlasConfig.AuthStorage storage) throws IOException {
        return open(storage, OutboundSettings.direct());
    }

    /** As {@link #open(AtlasConfig.AuthStorage)}, the Kubernetes client with the outbound trust and proxy. */
    public static LoginStore open(AtlasConfig.AuthStorage storage, OutboundSettings outbound) throws IOException {
        return switch (storage.type()) {
            case "memory" -> new MemoryLoginStore();
            case "kubernetes" -> {
                Config base = Config.autoConfigure(null);
                ConfigBuilder config = KubernetesOutbound.apply(new ConfigBuilder(base), base, outbound)
                    .withNamespace(storage.namespace())
                    .withConnectionTimeout(CONNECT_TIMEOUT_MS)
                    .withRequestTimeout(REQUEST_TIMEOUT_MS)
                    // a failed call answers 503 at once and the client tries again; a retried create whose first
                    // attempt did land would look like a collision
                    .withRequestRetryBackoffLimit(0);
                // only the URL: credentials still come from the service account or kubeconfig
                storage.masterUrl().ifPresent(config::withMasterUrl);
                yield new KubernetesLoginStore(new KubernetesClientBuilder().withConfig(config.build()).build(),
                    storage.namespace(), true);
            }
            default -> FileLoginStore.open(storage.dir());
        };
    }
}
