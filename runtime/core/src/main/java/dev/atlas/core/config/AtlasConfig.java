package dev.atlas.core.config;

import dev.atlas.api.Secret;
import dev.atlas.api.config.ConfigSection;
import dev.atlas.api.vcs.AppSettings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The checked contents of {@code atlas.yaml} (SPEC §3). Values are resolved (secret references read, relative paths
 * made absolute against the config file's folder). Provider and driver sections are kept as {@link ConfigSection}s
 * for their plugins to read.
 */
public record AtlasConfig(
    Path configFile,
    Runner runner,
    Server server,
    Duration shutdownTimeout,
    Cloud cloud,
    List<App> apps,
    Optional<RabbitMq> rabbitmq,
    Webhooks webhooks,
    Tasks tasks,
    Auth auth,
    Optional<Path> routesDir,
    Optional<Path> policiesDir,
    List<Path> pluginDirs,
    Path dataDir,
    Outbound outbound) {

    /** {@code runner}: who this Atlas is. */
    public record Runner(String id, URI publicUrl, Secret cloudSecret) {
    }

    /** {@code server}: the HTTP listener; HTTPS when {@code tls} is given. */
    public record Server(String host, int port, long maxBodyBytes, Optional<Tls> tls) {
    }

    /**
     * {@code server.tls}: the listener's certificate chain and key as PEM. When given as {@code ${file:}} references,
     * the files are kept so that a renewed certificate is picked up without a restart.
     */
    public record Tls(String certificatePem, Secret privateKeyPem, Optional<Path> certificateFile,
        Optional<Path> privateKeyFile) {
    }

    /** {@code outbound}: extra trusted CAs and the egress proxy for every outbound call (SPEC §10). */
    public record Outbound(Optional<String> caBundlePem, Optional<Proxy> proxy) {
        /** No bundle, no proxy. */
        public static final Outbound DIRECT = new Outbound(Optional.empty(), Optional.empty());
    }

    /** {@code outbound.proxy}: an HTTP CONNECT proxy; credentials only when both are given. */
    public record Proxy(URI url, List<String> noProxy, Optional<String> username, Optional<Secret> password) {
    }

    /** {@code cloud}: where webhooks go and how the cloud proves itself. */
    public record Cloud(URI url, CloudAuth auth, Duration deliveryTimeout) {
    }

    /** {@code cloud.auth}: keys that verify the cloud's bearer JWTs. */
    public record CloudAuth(Optional<Secret> hmacSecret, Optional<String> publicKeyPem, Optional<String> audience,
        Optional<String> issuer) {
    }

    /** One VCS app of an installation, with its provider section left for the plugin. */
    public record App(AppSettings settings, ConfigSection providerSection, ConfigSection section) {
        public String id() {
            return settings.appId();
        }

        public String vcs() {
            return settings.vcs();
        }
    }

    /** {@code rabbitmq}: the broker connection shared by task ingress and the webhook spool. */
    public record RabbitMq(URI uri) {
    }

    /**
     * {@code webhooks}: the spool and delivery policy.
     *
     * @param replayWindow {@code webhooks.replayWindow}: how long a body accepted for an app is refused again
     */
    public record Webhooks(String spool, Path spoolDir, String queue, int maxAttempts, Duration maxAge,
        Duration maxBackoff, Duration replayWindow) {
    }

    /**
     * {@code tasks}: the orchestration backend and task limits.
     *
     * @param cloneStep {@code tasks.cloneStep}: whether jobs start with the clone init container (false when the job
     *     images fetch the code themselves, and in the demo)
     * @param jobUrl {@code tasks.jobUrl}: Atlas's base URL as jobs reach it (the git endpoint, results, patch pull
     *     requests through the VCS proxy); loopback on {@code server.port} for the local driver, else
     *     {@code runner.publicUrl} when absent
     * @param resources {@code tasks.resources}: defaults and caps of the containers' CPU and memory
     * @param rabbitmq {@code tasks.rabbitmq}: the queue ingress
     * @param resultsMaxBytes {@code tasks.results.maxBytes}: the largest result file a job may post
     * @param push {@code tasks.push}: where patch and transformer pushes may go
     */
    public record Tasks(String driver, ConfigSection driverSection, Duration timeLimit, boolean rabbitmqEnabled,
        String rabbitmqQueue, String cloneImage, String jobImage, boolean cloneStep, URI jobUrl,
        TaskResources resources, TaskQueue rabbitmq, long resultsMaxBytes, Push push) {
    }

    /**
     * {@code tasks.push}: the rules every push of a job (patch, transformer) obeys.
     *
     * @param branchPrefix {@code commit.branch} must start with it (default {@code atlas/}); never the default branch
     * @param allowPaths CI-configuration paths a push may still add or change (none by default)
     */
    public record Push(String branchPrefix, List<String> allowPaths) {
    }

    /** {@code tasks.resources}: Kubernetes quantities ({@code 500m}, {@code 1Gi}), already validated. */
    public record TaskResources(String defaultCpu, String defaultMemory, String maxCpu, String maxMemory) {
    }

    /**
     * {@code tasks.rabbitmq}: the queue task ingress reads (see README, "Tasks").
     *
     * @param maxAttempts deliveries of a message that failed transiently before it is dead-lettered
     * @param maxBackoff the longest wait between two attempts
     * @param consumers concurrent consumers of this replica
     * @param requireJwt {@code tasks.rabbitmq.requireJwt}: whether a message must carry the cloud's JWT
     */
    public record TaskQueue(boolean enabled, String queue, int maxAttempts, Duration maxBackoff, int consumers,
        boolean requireJwt) {
    }

    /**
     * {@code auth}: the identity provider's clients and keys.
     *
     * @param sessionTtl {@code auth.sessionTtl}: how long a login lasts (the session cookie and a refresh-token family)
     */
    public record Auth(List<Client> clients, Path signingKeys, Duration sessionTtl, AuthStorage storage) {
    }

    /**
     * {@code auth.storage} and {@code auth.kubernetes}: where access codes and refresh-token families live.
     *
     * @param type {@code memory}, {@code file} (in {@code dir}) or {@code kubernetes} (in {@code namespace})
     * @param dir the folder of {@code file} storage: {@code <data>/auth}
     * @param namespace {@code auth.kubernetes.namespace}, else the pod's own; empty unless {@code kubernetes}
     * @param masterUrl {@code auth.kubernetes.masterUrl}: the API server when not the in-cluster one (tests)
     */
    public record AuthStorage(String type, Path dir, String namespace, Optional<String> masterUrl) {
    }

    /** One OAuth client of the identity provider. */
    public record Client(String id, Optional<Secret> secret, List<String> redirectUris, boolean requirePkce) {
        public boolean confidential() {
            return secret.isPresent();
        }
    }
}
