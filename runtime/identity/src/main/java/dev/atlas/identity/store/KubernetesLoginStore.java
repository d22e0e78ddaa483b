package dev.atlas.identity.store;

import dev.atlas.core.http.AtlasException;
import dev.atlas.core.http.ErrorKind;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ConfigMapList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.net.HttpURLConnection;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;

/**
 * {@code auth.storage: kubernetes}: one ConfigMap per access code and per refresh-token family in Atlas's namespace,
 * named {@code atlas-<kind>-<key>}, labelled {@code app.kubernetes.io/managed-by=atlas} and
 * {@code atlas.dev/kind=auth-code|refresh-family|used-state}, with the expiry in the annotation {@value #EXPIRES}. Every replica
 * talking to the same API server sees the same records, and {@link #replace} is an update carrying the
 * {@code resourceVersion} that was read: the API server refuses it (409) when another replica wrote in between, so a
 * code is redeemed once and a refresh token rotates once across all replicas.
 *
 * <p>ConfigMaps rather than Secrets: a record holds hashes and the user's identity claims (which the ID token carries
 * anyway), nothing a client could present, and the Role then needs no access to the Secrets of Atlas's namespace.
 * Verbs used: {@code create}, {@code get}, {@code update}, {@code list} (the expiry sweep, by label) and
 * {@code delete}.
 */
public final class KubernetesLoginStore implements LoginStore {
    static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    static final String KIND = "atlas.dev/kind";
    static final String EXPIRES = "atlas.dev/expires-at";

    private final KubernetesClient client;
    private final String namespace;
    private final boolean ownsClient;

    /**
     * @param ownsClient whether {@link #close} closes {@code client}
     */
    public KubernetesLoginStore(KubernetesClient client, String namespace, boolean ownsClient) {
        this.client = client;
        this.namespace = namespace;
        this.ownsClient = ownsClient;
    }

    /** The object name of a record: a DNS subdomain, as keys are lowercase hex. */
    static String name(Kind kind, String key) {
        return "atlas-" + kind.label() + "-" + LoginStore.checkKey(key);
    }

    private MixedOperation<ConfigMap, ConfigMapList, Resource<ConfigMap>> maps() {
        return client.configMaps();
    }

    private ConfigMap object(Kind kind, String key, Map<String, String> data, Instant expiresAt, String version) {
        return new ConfigMapBuilder()
            .withNewMetadata()
            .withName(name(kind, key))
            .withNamespace(namespace)
            .withResourceVersion(version)
            .addToLabels(MANAGED_BY, "atlas")
            .addToLabels(KIND, kind.label())
            .addToAnnotations(EXPIRES, expiresAt.toString())
            .endMetadata()
            .withData(data)
            .build();
    }

    @Override
    public boolean create(Kind kind, String key, Map<String, String> data, Instant expiresAt) {
        try {
            maps().inNamespace(namespace).resource(object(kind, key, data, expiresAt, null)).create();
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
                return false;
            }
            throw unavailable("create", e);
        }
    }

    @Override
    public Optional<Entry> get(Kind kind, String key) {
        ConfigMap map;
        try {
            map = maps().inNamespace(namespace).withName(name(kind, key)).get();
        } catch (KubernetesClientException e) {
            throw unavailable("read", e);
        }
        if (map == null) {
            return Optional.empty();
        }
        return Optional.of(new Entry(map.getData() == null ? Map.of() : map.getData(), expiry(map),
            map.getMetadata().getResourceVersion()));
    }

    @Override
    public boolean replace(Kind kind, String key, String expectedVersion, Map<String, String> data,
        Instant expiresAt) {
        try {
            // an update carrying the resourceVersion read: the API server's compare-and-set
            maps().inNamespace(namespace).resource(object(kind, key, data, expiresAt, expectedVersion)).update();
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == HttpURLConnection.HTTP_CONFLICT || e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
                return false;
            }
            throw unavailable("update", e);
        }
    }

    @Override
    public int sweep(Instant now) {
        int removed = 0;
        try {
            for (Kind kind : Kind.values()) {
                for (ConfigMap map : maps().inNamespace(namespace).withLabel(MANAGED_BY, "atlas")
                    .withLabel(KIND, kind.label()).list().getItems()) {
                    if (!now.isBefore(expiry(map))) {
                        maps().inNamespace(namespace).withName(map.getMetadata().getName()).delete();
                        removed++;
                    }
                }
            }
        } catch (KubernetesClientException e) {
            throw unavailable("sweep", e);
        }
        return removed;
    }

    /** The expiry annotation; a record without a readable one is treated as expired (it is not Atlas's own). */
    private static Instant expiry(ConfigMap map) {
        Map<String, String> annotations = map.getMetadata().getAnnotations();
        String value = annotations == null ? null : annotations.get(EXPIRES);
        try {
            return value == null ? Instant.EPOCH : Instant.parse(value);
        } catch (DateTimeParseException e) {
            return Instant.EPOCH;
        }
    }

    @Override
    public String describe() {
        return "kubernetes ConfigMaps in namespace " + namespace;
    }

    @Override
    public void close() {
        if (ownsClient) {
            client.close();
        }
    }

    private static AtlasException unavailable(String what, KubernetesClientException e) {
        return new AtlasException(ErrorKind.SERVICE_UNAVAILABLE, "the login store in Kubernetes failed to " + what
            + " (HTTP " + e.getCode() + ")", Map.of(), Optional.empty(), e);
    }
}
