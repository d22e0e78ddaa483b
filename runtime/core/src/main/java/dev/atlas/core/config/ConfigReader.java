package dev.atlas.core.config;

import dev.atlas.api.Secret;
import dev.atlas.api.config.ConfigSection;
import dev.atlas.api.config.Problems;
import dev.atlas.api.vcs.AppSettings;
import dev.atlas.api.vcs.OAuthClientSettings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the root of a resolved config tree into an {@link AtlasConfig}, recording every problem with its full key.
 * It knows the loaded VCS ids (with the name of each one's own app section) and driver ids, so that a {@code vcs:} or
 * {@code tasks.driver} naming no loaded plugin is a problem like any other.
 */
public final class ConfigReader {
    private static final Pattern ID = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final Pattern QUEUE = Pattern.compile("[A-Za-z0-9._:-]{1,200}");
    private static final Set<String> APP_KEYS = Set.of("id", "vcs", "webUrl", "apiUrl", "webhookSecret", "oauth");

    private final Map<String, String> vcsSections;
    private final Set<String> driverIds;
    private final Path baseDir;
    private final Path home;

    /**
     * @param vcsSections loaded VCS ids mapped to the key of their own app section
     * @param driverIds loaded driver ids
     * @param baseDir the config file's folder, against which relative paths resolve
     * @param home the distribution folder ({@code ATLAS_HOME}), for default plugin folders
     */
    public ConfigReader(Map<String, String> vcsSections, Set<String> driverIds, Path baseDir, Path home) {
        this.vcsSections = Map.copyOf(vcsSections);
        this.driverIds = Set.copyOf(driverIds);
        this.baseDir = baseDir;
        this.home = home;
    }

    /**
     * The plugin folders, read before plugins are loaded: the distribution's {@code plugins/} and {@code drivers/}
     * (the shipped VCS plugins and drivers, always loaded) and the admin's {@code plugins.dir}, which adds plugins.
     */
    public static List<Path> pluginDirs(ConfigSection root, Path baseDir, Path home) {
        List<Path> dirs = new ArrayList<>(List.of(home.resolve("plugins").normalize(), home.resolve("drivers").normalize()));
        adminPluginDir(root, baseDir).filter(d -> !dirs.contains(d)).ifPresent(dirs::add);
        return dirs;
    }

    private static Optional<Path> adminPluginDir(ConfigSection root, Path baseDir) {
        return root.section("plugins").string("dir").map(d -> baseDir.resolve(d).normalize());
    }

    public AtlasConfig read(Path configFile, ConfigSection root) {
        Problems problems = root.problems();
        root.allowOnly(Set.of("runner", "server", "shutdown", "cloud", "installations", "rabbitmq", "webhooks", "tasks",
            "auth", "routes", "policies", "plugins", "outbound"));
        NetworkConfigReader network = new NetworkConfigReader(configFile, baseDir);

        ConfigSection runnerSection = required(root, "runner");
        runnerSection.allowOnly(Set.of("id", "publicUrl", "cloudSecret"));
        String runnerId = runnerSection.requiredString("id").orElse("");
        if (!runnerId.isEmpty()) {
            checkId(runnerSection, "id", runnerId);
        }
        AtlasConfig.Runner runner = new AtlasConfig.Runner(runnerId,
            requiredUrl(runnerSection, "publicUrl"),
            runnerSection.requiredString("cloudSecret").map(ConfigReader::signingSecret).orElse(Secret.of("")));

        ConfigSection serverSection = root.section("server");
        serverSection.allowOnly(Set.of("host", "port", "maxBodyBytes", "tls"));
        long port = serverSection.integer("port").orElse(8080L);
        if (port < 0 || port > 65535) {
            problems.add(serverSection.keyOf("port"), "must be between 0 and 65535");
        }
        long maxBody = serverSection.integer("maxBodyBytes").orElse(26_214_400L);
        if (maxBody < 1) {
            problems.add(serverSection.keyOf("maxBodyBytes"), "must be at least 1");
        }
        AtlasConfig.Server server = new AtlasConfig.Server(serverSection.string("host").orElse("0.0.0.0"), (int) port,
            maxBody, network.tls(serverSection));

        ConfigSection shutdown = root.section("shutdown");
        shutdown.allowOnly(Set.of("timeout"));
        Duration shutdownTimeout = positive(shutdown, "timeout", Duration.ofSeconds(30));

        AtlasConfig.Cloud cloud = readCloud(required(root, "cloud"), problems);
        List<AtlasConfig.App> apps = readApps(root, problems);

        ConfigSection rabbitSection = root.section("rabbitmq");
        rabbitSection.allowOnly(Set.of("uri"));
        Optional<AtlasConfig.RabbitMq> rabbit = Optional.empty();
        if (rabbitSection.isPresent()) {
            rabbit = rabbitSection.requiredString("uri").flatMap(uri -> amqpUri(rabbitSection, uri))
                .map(AtlasConfig.RabbitMq::new);
        }

        AtlasConfig.Webhooks webhooks = readWebhooks(root.section("webhooks"), rabbitSection.isPresent(), problems);
        AtlasConfig.Tasks tasks = readTasks(root.section("tasks"), rabbitSection.isPresent(), runner.publicUrl(),
            (server.tls().isPresent() ? "https" : "http") + "://127.0.0.1:" + port, problems);
        AtlasConfig.Auth auth = readAuth(root.section("auth"), problems);

        ConfigSection routes = root.section("routes");
        routes.allowOnly(Set.of("dir"));
        ConfigSection policies = root.section("policies");
        policies.allowOnly(Set.of("dir"));
        root.section("plugins").allowOnly(Set.of("dir"));
        adminPluginDir(root, baseDir).filter(d -> !java.nio.file.Files.isDirectory(d)).ifPresent(d -> org.slf4j
            .LoggerFactory.getLogger(ConfigReader.class).warn("plugins.dir {} does not exist: no extra plugins", d));

        return new AtlasConfig(configFile, runner, server, shutdownTimeout, cloud, apps, rabbit, webhooks, tasks, auth,
            routes.string("dir").map(this::path), policies.string("dir").map(this::path),
            pluginDirs(root, baseDir, home), baseDir.resolve("data").normalize(),
            network.outbound(root.section("outbound")));
    }

    /** {@code whsec_<base64>} is the Standard Webhooks form of a secret: its decoded bytes are the key. */
    static Secret signingSecret(String value) {
        if (value.startsWith("whsec_")) {
            try {
                return Secret.ofBytes(java.util.Base64.getDecoder().decode(value.substring(6)));
            } catch (IllegalArgumentException e) {
                return Secret.of(value);
            }
        }
        return Secret.of(value);
    }

    private AtlasConfig.Cloud readCloud(ConfigSection section, Problems problems) {
        section.allowOnly(Set.of("url", "auth", "deliveryTimeout"));
        URI url = requiredUrl(section, "url");
        ConfigSection auth = section.section("auth");
        auth.allowOnly(Set.of("hmacSecret", "publicKey", "audience", "issuer"));
        Optional<Secret> hmac = auth.secret("hmacSecret").filter(s -> !s.isEmpty());
        Optional<String> publicKey = auth.string("publicKey").filter(s -> !s.isBlank());
        if (hmac.isEmpty() && publicKey.isEmpty() && !auth.keys().contains("hmacSecret")
            && !auth.keys().contains("publicKey")) {
            problems.add(auth.keyOf("hmacSecret"), "cloud.auth needs hmacSecret or publicKey (or both)");
        }
        if (hmac.isPresent() && hmac.get().bytes().length < 32) {
            problems.add(auth.keyOf("hmacSecret"), "must be at least 32 bytes (HS256 key length)");
        }
        if (auth.string("audience").filter(s -> !s.isBlank()).isEmpty()) {
            // without it a token the cloud minted for another customer's runner would work here too
            problems.add(auth.keyOf("audience"), "is required: the aud your cloud puts in the tokens it signs for "
                + "this runner (for example the runner id)");
        }
        publicKey.flatMap(dev.atlas.core.cloud.CloudAuthenticator::checkPublicKey)
            .ifPresent(problem -> problems.add(auth.keyOf("publicKey"), problem));
        Duration timeout = positive(section, "deliveryTimeout", Duration.ofSeconds(15));
        return new AtlasConfig.Cloud(url, new AtlasConfig.CloudAuth(hmac, publicKey,
            auth.string("audience").filter(s -> !s.isBlank()), auth.string("issuer").filter(s -> !s.isBlank())),
            timeout);
    }

    private List<AtlasConfig.App> readApps(ConfigSection root, Problems problems) {
        List<AtlasConfig.App> apps = new ArrayList<>();
        Set<String> installationIds = new HashSet<>();
        Map<String, String> appKeys = new HashMap<>();
        List<ConfigSection> installations = root.sections("installations");
        if (installations.isEmpty() && !root.keys().contains("installations")) {
            problems.add("installations", "must list at least one installation");
        }
        for (ConfigSection installation : installations) {
            installation.allowOnly(Set.of("id", "apps"));
            String installationId = installation.requiredString("id").orElse("");
            if (!installationId.isEmpty()) {
                checkId(installation, "id", installationId);
                if (!installationIds.add(installationId)) {
                    problems.add(installation.keyOf("id"), "duplicate installation id " + installationId);
                }
            }
            for (ConfigSection app : installation.sections("apps")) {
                readApp(installationId, app, appKeys, problems).ifPresent(apps::add);
            }
        }
        return apps;
    }

    private Optional<AtlasConfig.App> readApp(String installationId, ConfigSection app, Map<String, String> appKeys,
        Problems problems) {
        String appId = app.requiredString("id").orElse("");
        if (!appId.isEmpty()) {
            checkId(app, "id", appId);
            String previous = appKeys.putIfAbsent(appId, app.keyOf("id"));
            if (previous != null) {
                problems.add(app.keyOf("id"), "duplicate app id " + appId + " (also at " + previous + ")");
            }
        }
        String vcs = app.requiredString("vcs").orElse("");
        Set<String> known = new LinkedHashSet<>(APP_KEYS);
        String providerKey = vcsSections.get(vcs);
        if (!vcs.isEmpty() && providerKey == null) {
            problems.add(app.keyOf("vcs"), "unknown VCS '" + vcs + "' (loaded: "
                + String.join(", ", new java.util.TreeSet<>(vcsSections.keySet())) + ")");
        }
        if (providerKey != null) {
            known.add(providerKey);
        } else {
            known.addAll(vcsSections.values());
        }
        app.allowOnly(known);
        URI webUrl = requiredUrl(app, "webUrl");
        URI apiUrl = requiredUrl(app, "apiUrl");
        Secret webhookSecret = app.requiredSecret("webhookSecret").orElse(Secret.of(""));
        ConfigSection oauthSection = app.section("oauth");
        Optional<OAuthClientSettings> oauth = Optional.empty();
        if (oauthSection.isPresent()) {
            oauthSection.allowOnly(Set.of("clientId", "clientSecret"));
            Optional<String> clientId = oauthSection.requiredString("clientId");
            Optional<Secret> clientSecret = oauthSection.requiredSecret("clientSecret");
            if (clientId.isPresent() && clientSecret.isPresent()) {
                oauth = Optional.of(new OAuthClientSettings(clientId.get(), clientSecret.get()));
            }
        }
        AppSettings settings = new AppSettings(installationId, appId, vcs, webUrl, apiUrl, webhookSecret, oauth,
            app.path());
        ConfigSection providerSection = providerKey == null
            ? dev.atlas.api.config.MapConfigSection.of(app.path(), null, problems) : app.section(providerKey);
        return Optional.of(new AtlasConfig.App(settings, providerSection, app));
    }

    private AtlasConfig.Webhooks readWebhooks(ConfigSection section, boolean rabbitConfigured, Problems problems) {
        section.allowOnly(Set.of("spool", "spoolDir", "queue", "maxAttempts", "maxAge", "maxBackoff",
            "replayWindow"));
        String spool = section.string("spool").orElse("file");
        if (!spool.equals("file") && !spool.equals("rabbitmq")) {
            problems.add(section.keyOf("spool"), "must be file or rabbitmq");
        }
        if (spool.equals("rabbitmq") && !rabbitConfigured) {
            problems.add(section.keyOf("spool"), "rabbitmq needs the top-level rabbitmq.uri");
        }
        long attempts = section.integer("maxAttempts").orElse(20L);
        if (attempts < 1 || attempts > 1000) {
            problems.add(section.keyOf("maxAttempts"), "must be between 1 and 1000");
        }
        return new AtlasConfig.Webhooks(spool, path(section.string("spoolDir").orElse("data/spool")),
            section.string("queue").orElse("atlas.webhooks"), (int) attempts,
            positive(section, "maxAge", Duration.ofHours(24)), positive(section, "maxBackoff", Duration.ofMinutes(5)),
            positive(section, "replayWindow", Duration.ofDays(7)));
    }

    /** @param loopback Atlas on this machine ({@code server.port}; https with {@code server.tls}): local jobUrl */
    private AtlasConfig.Tasks readTasks(ConfigSection section, boolean rabbitConfigured, URI publicUrl, String loopback,
        Problems problems) {
        Set<String> known = new LinkedHashSet<>(List.of("driver", "timeLimit", "rabbitmq", "cloneImage", "jobImage",
            "cloneStep", "jobUrl", "resources", "results", "push"));
        known.addAll(driverIds);
        known.addAll(List.of("kubernetes", "nomad", "local"));
        section.allowOnly(known);
        String driver = section.string("driver").orElse("local");
        if (!driverIds.contains(driver)) {
            problems.add(section.keyOf("driver"), "unknown driver '" + driver + "' (loaded: "
                + String.join(", ", new java.util.TreeSet<>(driverIds)) + ")");
        }
        ConfigSection rabbit = section.section("rabbitmq");
        rabbit.allowOnly(Set.of("enabled", "queue", "maxAttempts", "maxBackoff", "consumers", "requireJwt"));
        boolean enabled = rabbit.bool("enabled").orElse(false);
        if (enabled && !rabbitConfigured) {
            problems.add(rabbit.keyOf("enabled"), "task ingress over RabbitMQ needs the top-level rabbitmq.uri");
        }
        String queue = rabbit.string("queue").orElse("atlas.tasks");
        if (!QUEUE.matcher(queue).matches()) {
            problems.add(rabbit.keyOf("queue"), "must be 1 to 200 letters, digits, '.', '_', ':' or '-'");
        }
        long attempts = rabbit.integer("maxAttempts").orElse(10L);
        if (attempts < 1 || attempts > 1000) {
            problems.add(rabbit.keyOf("maxAttempts"), "must be between 1 and 1000");
        }
        long consumers = rabbit.integer("consumers").orElse(2L);
        if (consumers < 1 || consumers > 64) {
            problems.add(rabbit.keyOf("consumers"), "must be between 1 and 64");
        }
        AtlasConfig.TaskQueue taskQueue = new AtlasConfig.TaskQueue(enabled, queue, (int) attempts,
            positive(rabbit, "maxBackoff", Duration.ofMinutes(1)), (int) consumers,
            rabbit.bool("requireJwt").orElse(true));
        URI jobUrl = section.string("jobUrl").isPresent() ? section.url("jobUrl").orElse(publicUrl)
            : driver.equals("local") ? URI.create(loopback) : publicUrl;
        return new AtlasConfig.Tasks(driver, section.section(driver),
            positive(section, "timeLimit", Duration.ofMinutes(30)), enabled, queue,
            section.string("cloneImage").orElse("alpine/git:2.47.2"),
            section.string("jobImage").orElse("atlas:0.1.0"),
            section.bool("cloneStep").orElse(true), jobUrl, readTaskResources(section.section("resources")),
            taskQueue, readResultsMaxBytes(section.section("results")), readPush(section.section("push")));
    }

    private static long readResultsMaxBytes(ConfigSection section) {
        section.allowOnly(Set.of("maxBytes"));
        long maxBytes = section.integer("maxBytes").orElse(8L << 20);
        if (maxBytes < 1 || maxBytes > (256L << 20)) {
            section.problems().add(section.keyOf("maxBytes"), "must be between 1 and 268435456 (256 MiB)");
            return 8L << 20;
        }
        return maxBytes;
    }

    private static AtlasConfig.Push readPush(ConfigSection section) {
        section.allowOnly(Set.of("branchPrefix", "allowPaths"));
        String prefix = section.string("branchPrefix").orElse("atlas/");
        if (prefix.isBlank() || prefix.startsWith("-") || prefix.startsWith("/") || prefix.startsWith("refs/")
            || prefix.contains("..") || prefix.chars().anyMatch(c -> c <= ' ' || "~^:?*[\\\\".indexOf(c) >= 0)) {
            section.problems().add(section.keyOf("branchPrefix"), "must be a branch name prefix such as atlas/ "
                + "(no leading '-', '/' or 'refs/', no '..', spaces or ~^:?*[\\)");
        }
        List<String> allowPaths = section.strings("allowPaths");
        for (int i = 0; i < allowPaths.size(); i++) {
            String path = allowPaths.get(i);
            if (path.isBlank() || path.startsWith("/") || path.contains("..") || path.contains("\\")) {
                section.problems().add(section.keyOf("allowPaths") + "[" + i + "]",
                    "must be a relative path inside the repository");
            }
        }
        return new AtlasConfig.Push(prefix, List.copyOf(allowPaths));
    }

    private static AtlasConfig.TaskResources readTaskResources(ConfigSection section) {
        section.allowOnly(Set.of("defaultCpu", "defaultMemory", "maxCpu", "maxMemory"));
        String defaultCpu = quantity(section, "defaultCpu", "500m", true);
        String defaultMemory = quantity(section, "defaultMemory", "512Mi", false);
        String maxCpu = quantity(section, "maxCpu", "4", true);
        String maxMemory = quantity(section, "maxMemory", "8Gi", false);
        return new AtlasConfig.TaskResources(defaultCpu, defaultMemory, maxCpu, maxMemory);
    }

    private static String quantity(ConfigSection section, String key, String fallback, boolean cpu) {
        String value = section.string(key).orElse(fallback);
        if (dev.atlas.core.config.Quantities.parse(value, cpu).isEmpty()) {
            section.problems().add(section.keyOf(key), "not a Kubernetes " + (cpu ? "CPU" : "memory")
                + " quantity (such as " + (cpu ? "500m or 2" : "512Mi or 1Gi") + ")");
            return fallback;
        }
        return value;
    }

    private AtlasConfig.Auth readAuth(ConfigSection section, Problems problems) {
        section.allowOnly(Set.of("clients", "signingKeys", "sessionTtl", "storage", "kubernetes"));
        List<AtlasConfig.Client> clients = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (ConfigSection client : section.sections("clients")) {
            client.allowOnly(Set.of("id", "secret", "redirectUris", "requirePkce"));
            String id = client.requiredString("id").orElse("");
            if (!id.isEmpty() && !ids.add(id)) {
                problems.add(client.keyOf("id"), "duplicate client id " + id);
            }
            Optional<Secret> secret = client.secret("secret");
            if (secret.isPresent() && secret.get().isEmpty()) {
                problems.add(client.keyOf("secret"), "must not be empty (leave it out for a public client)");
            }
            List<String> redirects = client.strings("redirectUris");
            if (redirects.isEmpty()) {
                problems.add(client.keyOf("redirectUris"), "must list at least one redirect URI");
            }
            for (int i = 0; i < redirects.size(); i++) {
                checkRedirect(client.keyOf("redirectUris") + "[" + i + "]", redirects.get(i), problems);
            }
            clients.add(new AtlasConfig.Client(id, secret, redirects,
                client.bool("requirePkce").orElse(secret.isEmpty())));
        }
        return new AtlasConfig.Auth(clients, path(section.string("signingKeys").orElse("data/keys")),
            positive(section, "sessionTtl", Duration.ofHours(8)), readAuthStorage(section, problems));
    }

    /** The pod's namespace, as Kubernetes mounts it with the service-account token. */
    static final Path POD_NAMESPACE = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/namespace");

    private AtlasConfig.AuthStorage readAuthStorage(ConfigSection auth, Problems problems) {
        String type = auth.string("storage").orElse("file");
        if (!Set.of("memory", "file", "kubernetes").contains(type)) {
            problems.add(auth.keyOf("storage"), "must be memory, file or kubernetes");
        }
        ConfigSection kubernetes = auth.section("kubernetes");
        kubernetes.allowOnly(Set.of("namespace", "masterUrl"));
        String namespace = "";
        if (type.equals("kubernetes")) {
            namespace = kubernetes.string("namespace").filter(n -> !n.isBlank()).or(ConfigReader::podNamespace)
                .orElse("");
            if (namespace.isEmpty()) {
                problems.add(kubernetes.keyOf("namespace"), "is required outside a pod (no " + POD_NAMESPACE + ")");
            }
        }
        return new AtlasConfig.AuthStorage(type, path("data/auth"), namespace,
            kubernetes.string("masterUrl").filter(u -> !u.isBlank()));
    }

    private static Optional<String> podNamespace() {
        try {
            return Optional.of(java.nio.file.Files.readString(POD_NAMESPACE).trim()).filter(n -> !n.isEmpty());
        } catch (java.io.IOException | SecurityException e) {
            return Optional.empty();
        }
    }

    private static void checkRedirect(String key, String uri, Problems problems) {
        try {
            URI parsed = new URI(uri);
            if (!parsed.isAbsolute() || parsed.getHost() == null || parsed.getFragment() != null) {
                problems.add(key, "must be absolute, without a fragment");
            } else if (!parsed.getScheme().equals("https") && !isLoopback(parsed.getHost())) {
                problems.add(key, "must use https (http only for localhost)");
            }
        } catch (java.net.URISyntaxException e) {
            problems.add(key, "must be an absolute URL");
        }
    }

    private static boolean isLoopback(String host) {
        return host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]");
    }

    private Optional<URI> amqpUri(ConfigSection section, String text) {
        try {
            URI uri = new URI(text);
            if (("amqp".equals(uri.getScheme()) || "amqps".equals(uri.getScheme())) && uri.getHost() != null) {
                return Optional.of(uri);
            }
        } catch (java.net.URISyntaxException e) {
            // reported below
        }
        section.problems().add(section.keyOf("uri"), "must be an amqp:// or amqps:// URI");
        return Optional.empty();
    }

    private static ConfigSection required(ConfigSection root, String key) {
        ConfigSection section = root.section(key);
        if (!section.isPresent() && !root.keys().contains(key)) {
            root.problems().add(key, "is required");
        }
        return section;
    }

    private static URI requiredUrl(ConfigSection section, String key) {
        if (section.requiredString(key).isEmpty()) {
            return URI.create("http://invalid.invalid/");
        }
        return section.url(key).orElse(URI.create("http://invalid.invalid/"));
    }

    private static Duration positive(ConfigSection section, String key, Duration fallback) {
        Duration value = section.duration(key).orElse(fallback);
        if (value.isNegative() || value.isZero()) {
            section.problems().add(section.keyOf(key), "must be longer than zero");
            return fallback;
        }
        return value;
    }

    private static void checkId(ConfigSection section, String key, String id) {
        if (!ID.matcher(id).matches()) {
            section.problems().add(section.keyOf(key),
                "must be lowercase letters, digits and '-', at most 63 characters, starting and ending alphanumeric");
        }
    }

    private Path path(String value) {
        return baseDir.resolve(value).normalize();
    }
}
