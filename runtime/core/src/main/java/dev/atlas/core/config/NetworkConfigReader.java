package dev.atlas.core.config;

import dev.atlas.api.Secret;
import dev.atlas.api.config.ConfigSection;
import dev.atlas.api.config.Problems;
import dev.atlas.core.outbound.NoProxyRules;
import dev.atlas.core.outbound.PemCertificates;
import dev.atlas.core.tls.PemKeys;
import java.net.URI;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and checks {@code outbound} and {@code server.tls} (SPEC §10): the PEM texts parse, the proxy URL has the
 * right shape, every {@code noProxy} entry is a host, suffix, address or CIDR range, proxy credentials come in pairs,
 * and the server's key belongs to its certificate. Each problem is reported at its key; no value is ever quoted.
 */
final class NetworkConfigReader {
    private static final Pattern FILE_REFERENCE = Pattern.compile("\\$\\{file:([^}]+)}");

    private final Path configFile;
    private final Path baseDir;

    NetworkConfigReader(Path configFile, Path baseDir) {
        this.configFile = configFile;
        this.baseDir = baseDir;
    }

    AtlasConfig.Outbound outbound(ConfigSection section) {
        Problems problems = section.problems();
        section.allowOnly(Set.of("caBundle", "proxy"));
        Optional<String> bundle = section.string("caBundle");
        bundle.ifPresent(pem -> check(problems, section.keyOf("caBundle"), () -> PemCertificates.parse(pem)));
        ConfigSection proxySection = section.section("proxy");
        Optional<AtlasConfig.Proxy> proxy = Optional.empty();
        if (proxySection.isPresent()) {
            proxySection.allowOnly(Set.of("url", "noProxy", "username", "password"));
            Optional<URI> url = proxySection.requiredString("url").flatMap(text -> proxyUrl(proxySection, text));
            List<String> noProxy = proxySection.strings("noProxy");
            for (int i = 0; i < noProxy.size(); i++) {
                String key = proxySection.keyOf("noProxy") + "[" + i + "]";
                NoProxyRules.problem(noProxy.get(i)).ifPresent(p -> problems.add(key, p));
            }
            Optional<String> username = proxySection.string("username");
            Optional<Secret> password = proxySection.secret("password");
            if (username.isPresent() != password.isPresent()) {
                problems.add(proxySection.keyOf(username.isPresent() ? "password" : "username"),
                    "is required when " + (username.isPresent() ? "username" : "password") + " is given");
            }
            proxy = url.map(u -> new AtlasConfig.Proxy(u, noProxy, username, password));
        }
        return new AtlasConfig.Outbound(bundle, proxy);
    }

    private static Optional<URI> proxyUrl(ConfigSection section, String text) {
        String key = section.keyOf("url");
        try {
            URI uri = new URI(text);
            if (!"http".equals(uri.getScheme()) || uri.getHost() == null) {
                section.problems().add(key, "must be an http:// URL with a host, like http://proxy.acme:3128");
                return Optional.empty();
            }
            if (uri.getUserInfo() != null) {
                section.problems().add(key, "must not carry credentials: use outbound.proxy.username and password");
                return Optional.empty();
            }
            if (uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/")
                || uri.getRawQuery() != null) {
                section.problems().add(key, "must be only scheme, host and port (no path or query)");
                return Optional.empty();
            }
            return Optional.of(uri);
        } catch (java.net.URISyntaxException e) {
            section.problems().add(key, "is not a URL");
            return Optional.empty();
        }
    }

    Optional<AtlasConfig.Tls> tls(ConfigSection server) {
        ConfigSection section = server.section("tls");
        if (!section.isPresent()) {
            return Optional.empty();
        }
        Problems problems = section.problems();
        section.allowOnly(Set.of("certificate", "privateKey"));
        Optional<String> certificate = section.requiredString("certificate");
        Optional<Secret> key = section.requiredSecret("privateKey");
        List<X509Certificate> chain = certificate.map(pem -> check(problems, section.keyOf("certificate"),
            () -> PemCertificates.parse(pem))).orElse(null);
        PrivateKey privateKey = key.map(k -> check(problems, section.keyOf("privateKey"), () -> PemKeys.parse(
            k.reveal()))).orElse(null);
        if (chain != null && privateKey != null
            && !chain.get(0).getPublicKey().getAlgorithm().equals(privateKey.getAlgorithm())) {
            problems.add(section.keyOf("privateKey"), "is a " + privateKey.getAlgorithm()
                + " key but the certificate's key is " + chain.get(0).getPublicKey().getAlgorithm());
        }
        if (certificate.isEmpty() || key.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new AtlasConfig.Tls(certificate.get(), key.get(), referencedFile("certificate"),
            referencedFile("privateKey")));
    }

    /** The file behind {@code server.tls.<key>} when the raw value is exactly one {@code ${file:}} reference. */
    private Optional<Path> referencedFile(String key) {
        try {
            Object server = YamlTree.read(configFile).get("server");
            Object tls = server instanceof Map<?, ?> s ? s.get("tls") : null;
            Object raw = tls instanceof Map<?, ?> t ? t.get(key) : null;
            if (raw instanceof String text) {
                Matcher m = FILE_REFERENCE.matcher(text.trim());
                if (m.matches()) {
                    return Optional.of(baseDir.resolve(m.group(1).trim()).normalize());
                }
            }
        } catch (ConfigException e) {
            // the file was read a moment ago; without it the certificate is only not reloaded
        }
        return Optional.empty();
    }

    private static <T> T check(Problems problems, String key, java.util.function.Supplier<T> parse) {
        try {
            return parse.get();
        } catch (IllegalArgumentException e) {
            problems.add(key, e.getMessage());
            return null;
        }
    }
}
