package dev.atlas.plugin.support;

import dev.atlas.api.OutboundSettings;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

/**
 * Hands the host's outbound settings to fabric8, which has its own trust and proxy settings: the bundle is added
 * to the CA the client already trusts (the service account's {@code ca.crt}, a kubeconfig's CA; fabric8 keeps the
 * JVM's defaults beside them), and the proxy with its {@code noProxy} list and credentials replaces any found in
 * the environment.
 */
public final class KubernetesOutbound {
    private KubernetesOutbound() {
    }

    /** Adds the bundle to the CA {@code base} trusts and sets the proxy; see the class comment. */
    public static ConfigBuilder apply(ConfigBuilder builder, Config base, OutboundSettings outbound) {
        outbound.caBundlePem().ifPresent(bundle -> {
            String existing = existingCa(base);
            String combined = existing.isBlank() ? bundle : existing.strip() + "\n" + bundle;
            builder.withCaCertFile(null)
                .withCaCertData(Base64.getEncoder().encodeToString(combined.getBytes(StandardCharsets.US_ASCII)));
        });
        outbound.proxyUrl().ifPresent(url -> {
            builder.withHttpsProxy(url.toString()).withHttpProxy(url.toString())
                .withNoProxy(outbound.noProxy().toArray(String[]::new));
            outbound.proxyUsername().ifPresent(builder::withProxyUsername);
            outbound.proxyPassword().ifPresent(p -> builder.withProxyPassword(p.reveal()));
        });
        return builder;
    }

    private static String existingCa(Config base) {
        if (base.getCaCertData() != null && !base.getCaCertData().isBlank()) {
            return new String(Base64.getDecoder().decode(base.getCaCertData().strip()), StandardCharsets.US_ASCII);
        }
        if (base.getCaCertFile() != null && Files.isReadable(Path.of(base.getCaCertFile()))) {
            try {
                return Files.readString(Path.of(base.getCaCertFile()), StandardCharsets.US_ASCII);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the Kubernetes CA " + base.getCaCertFile(), e);
            }
        }
        return "";
    }
}
