package dev.atlas.deploy;

import static dev.atlas.deploy.HelmChart.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import dev.atlas.api.driver.JobSpec;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Helm chart as Helm renders it (helm-java's bundled Helm), as fabric8 reads it and as an API server (the fabric8
 * mock server in CRUD mode) accepts it: least-privilege RBAC, no secret values, probes, grace period, security.
 */
@EnableKubernetesMockClient(crud = true)
class HelmChartIT {
    private static final Set<String> SECRET_KEYS = Set.of("cloudSecret", "hmacSecret", "webhookSecret", "clientSecret",
        "privateKey", "token", "appPassword", "secret", "password");
    private static final Pattern REFERENCE = Pattern.compile("\\$\\{(env|file):[^}]+}");

    static KubernetesClient client;

    private static List<HasMetadata> defaults() {
        return HelmChart.load(client, HelmChart.template(Optional.empty(), Map.of()));
    }

    private static List<HasMetadata> everything() {
        return HelmChart.load(client, HelmChart.template(Optional.of(HelmChart.EVERYTHING), Map.of()));
    }

    private static List<HasMetadata> with(Map<String, Object> sets) {
        return HelmChart.load(client, HelmChart.template(Optional.empty(), sets));
    }

    @Test
    void chartPassesHelmLintInStrictMode() {
        LintResult result = new Helm(HelmChart.CHART).lint().strict().call();
        assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
    }

    @Test
    void everyRenderedObjectLoadsAndIsAcceptedByTheApiServer() {
        for (List<HasMetadata> objects : List.of(defaults(), everything())) {
            assertThat(objects).isNotEmpty();
            for (HasMetadata object : objects) {
                String namespace = object.getMetadata().getNamespace() == null ? HelmChart.NAMESPACE
                    : object.getMetadata().getNamespace();
                HasMetadata created = apply(object, namespace);
                assertThat(created.getMetadata().getUid()).as(object.getKind() + " " + object.getMetadata().getName())
                    .isNotBlank();
            }
        }
        assertThat(client.apps().statefulSets().inNamespace(HelmChart.NAMESPACE).withName("atlas").get()
            .getSpec().getServiceName()).isEqualTo("atlas-headless");
        assertThat(client.rbac().roles().inNamespace("atlas-jobs").withName("atlas-driver").get()).isNotNull();
    }

    /** Creates (or replaces) the object; custom resources (the ServiceMonitor) through their resource definition. */
    private static HasMetadata apply(HasMetadata object, String namespace) {
        if (object instanceof GenericKubernetesResource custom) {
            String[] groupVersion = custom.getApiVersion().split("/");
            ResourceDefinitionContext definition = new ResourceDefinitionContext.Builder().withGroup(groupVersion[0])
                .withVersion(groupVersion[1]).withKind(custom.getKind()).withNamespaced(true)
                .withPlural(custom.getKind().toLowerCase(Locale.ROOT) + "s").build();
            return client.genericKubernetesResources(definition).inNamespace(namespace).resource(custom)
                .createOr(existing -> existing.update());
        }
        return client.resource(object).inNamespace(namespace).createOr(existing -> existing.update());
    }

    @Test
    void everythingValuesRenderEveryOptionalObject() {
        List<String> kinds = everything().stream().map(HasMetadata::getKind).toList();
        assertThat(kinds).contains("StatefulSet", "Service", "ConfigMap", "ServiceAccount", "Role", "RoleBinding",
            "Ingress", "NetworkPolicy", "ServiceMonitor", "PodDisruptionBudget");
        // the namespaces exist before the release: a chart owning one deletes it, and all in it, on uninstall
        assertThat(kinds).doesNotContain("Namespace", "Secret");
        assertThat(defaults().stream().map(HasMetadata::getKind)).doesNotContain("Ingress",
            "ServiceMonitor", "PodDisruptionBudget", "Namespace");
        // by default only the jobs' policy: Atlas's own needs the operator's peers
        assertThat(HelmChart.ofKind(defaults(), NetworkPolicy.class)).extracting(p -> p.getMetadata().getName())
            .containsExactly("atlas-jobs");
    }

    @Test
    void driverRoleGrantsExactlyTheRulesOfTheKubernetesDriversRoleYaml() throws IOException {
        Role expected;
        try (InputStream in = Files.newInputStream(HelmChart.DRIVER_ROLE)) {
            expected = Serialization.unmarshal(in, Role.class);
        }
        for (List<HasMetadata> objects : List.of(defaults(), everything())) {
            Role role = HelmChart.named(objects, Role.class, "atlas-driver");
            assertThat(role.getMetadata().getNamespace()).isEqualTo("atlas-jobs");
            assertThat(grants(role.getRules())).isEqualTo(grants(expected.getRules()));
            RoleBinding binding = HelmChart.named(objects, RoleBinding.class, "atlas-driver");
            assertThat(binding.getMetadata().getNamespace()).isEqualTo("atlas-jobs");
            assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
            assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
            assertThat(binding.getSubjects()).singleElement().satisfies(subject -> {
                assertThat(subject.getKind()).isEqualTo("ServiceAccount");
                assertThat(subject.getName()).isEqualTo(HelmChart.statefulSet(objects).getSpec().getTemplate().getSpec()
                    .getServiceAccountName());
                assertThat(subject.getNamespace()).isEqualTo(HelmChart.NAMESPACE);
            });
            assertThat(HelmChart.ofKind(objects, ClusterRole.class)).isEmpty();
            assertThat(HelmChart.ofKind(objects, ClusterRoleBinding.class)).isEmpty();
        }
    }

    @Test
    void otherDriversWithLoginStateInMemoryGetNoRoleAndNoServiceAccountToken() {
        List<HasMetadata> objects = with(Map.of("config.tasks.driver", "nomad", "config.auth.storage", "memory"));
        assertThat(HelmChart.ofKind(objects, Role.class)).isEmpty();
        assertThat(HelmChart.ofKind(objects, RoleBinding.class)).isEmpty();
        assertThat(HelmChart.statefulSet(objects).getSpec().getTemplate().getSpec().getAutomountServiceAccountToken())
            .isFalse();
        assertThat(at(HelmChart.atlasYaml(objects), "auth.storage")).isEqualTo("memory");
    }

    @Test
    void loginStateRoleGrantsExactlyTheRulesOfLoginStateRoleYamlWhereTheLoginStateLives() throws IOException {
        Role expected;
        try (InputStream in = Files.newInputStream(HelmChart.LOGIN_STATE_ROLE)) {
            expected = Serialization.unmarshal(in, Role.class);
        }
        List<HasMetadata> nomad = with(Map.of("config.tasks.driver", "nomad"));
        List<HasMetadata> elsewhere = with(Map.of("config.auth.kubernetes.namespace", "atlas-login"));
        for (List<HasMetadata> objects : List.of(defaults(), everything(), nomad, elsewhere)) {
            String namespace = objects == elsewhere ? "atlas-login" : HelmChart.NAMESPACE;
            assertThat(at(HelmChart.atlasYaml(objects), "auth.storage")).isEqualTo("kubernetes");
            assertThat(at(HelmChart.atlasYaml(objects), "auth.kubernetes.namespace")).isEqualTo(namespace);
            Role role = HelmChart.named(objects, Role.class, "atlas-login-state");
            assertThat(role.getMetadata().getNamespace()).isEqualTo(namespace);
            assertThat(grants(role.getRules())).isEqualTo(grants(expected.getRules()))
                .containsExactlyInAnyOrder("/configmaps:create", "/configmaps:get", "/configmaps:update",
                    "/configmaps:list", "/configmaps:delete");
            RoleBinding binding = HelmChart.named(objects, RoleBinding.class, "atlas-login-state");
            assertThat(binding.getMetadata().getNamespace()).isEqualTo(namespace);
            assertThat(binding.getRoleRef().getName()).isEqualTo("atlas-login-state");
            assertThat(binding.getSubjects()).singleElement().satisfies(subject -> {
                assertThat(subject.getName()).isEqualTo(HelmChart.statefulSet(objects).getSpec().getTemplate()
                    .getSpec().getServiceAccountName());
                assertThat(subject.getNamespace()).isEqualTo(HelmChart.NAMESPACE);
            });
        }
        // the login state alone needs the API token
        assertThat(HelmChart.statefulSet(nomad).getSpec().getTemplate().getSpec().getAutomountServiceAccountToken())
            .isTrue();
        assertThat(HelmChart.ofKind(nomad, Role.class)).singleElement()
            .satisfies(role -> assertThat(role.getMetadata().getName()).isEqualTo("atlas-login-state"));
    }

    @Test
    void fileLoginStorageIsRefusedForTheReadOnlyRootFileSystem() {
        assertThatThrownBy(() -> with(Map.of("config.auth.storage", "file")))
            .hasMessageContaining("config.auth.storage");
    }

    /** Every (apiGroup, resource, verb) a rule list grants. */
    private static Set<String> grants(List<PolicyRule> rules) {
        Set<String> grants = new TreeSet<>();
        for (PolicyRule rule : rules) {
            for (String group : rule.getApiGroups()) {
                for (String resource : rule.getResources()) {
                    rule.getVerbs().forEach(verb -> grants.add(group + "/" + resource + ":" + verb));
                }
            }
        }
        return grants;
    }

    @Test
    void theLaunchersJvmDefaultsApplyUnlessJavaOptsIsSetToReplaceThem() {
        PodSpec pod = HelmChart.statefulSet(defaults()).getSpec().getTemplate().getSpec();
        assertThat(pod.getContainers().get(0).getEnv()).as("no JAVA_OPTS: bin/atlas's defaults and the image's")
            .satisfiesAnyOf(env -> assertThat(env).isNull(),
                env -> assertThat(env).noneMatch(e -> e.getName().equals("JAVA_OPTS")));
        PodSpec replaced = HelmChart.statefulSet(with(Map.of("javaOpts", "-XX:+UseG1GC -XX:MaxRAMPercentage=70")))
            .getSpec().getTemplate().getSpec();
        assertThat(replaced.getContainers().get(0).getEnv()).filteredOn(e -> e.getName().equals("JAVA_OPTS"))
            .singleElement().satisfies(e -> assertThat(e.getValue()).isEqualTo("-XX:+UseG1GC -XX:MaxRAMPercentage=70"));
    }

    @Test
    void chartCreatesNoSecretAndItsConfigHoldsOnlyReferences() {
        for (List<HasMetadata> objects : List.of(defaults(), everything())) {
            assertThat(HelmChart.ofKind(objects, Secret.class)).isEmpty();
            List<String> secretValues = new ArrayList<>();
            collectSecretValues("", HelmChart.atlasYaml(objects), secretValues);
            assertThat(secretValues).isNotEmpty().allSatisfy(value -> assertThat(value).matches("\\$\\{(env|file):[^}]+}"));
            String rabbit = (String) at(HelmChart.atlasYaml(objects), "rabbitmq.uri");
            if (rabbit != null) {
                assertThat(REFERENCE.matcher(rabbit).replaceAll("")).doesNotContainPattern(":[^/@]*[^:/]@");
            }
            PodSpec pod = HelmChart.statefulSet(objects).getSpec().getTemplate().getSpec();
            pod.getContainers().stream().flatMap(c -> java.util.Objects.requireNonNullElse(c.getEnv(),
                    List.<io.fabric8.kubernetes.api.model.EnvVar>of()).stream())
                .filter(env -> !env.getName().equals("JAVA_OPTS"))
                .forEach(env -> assertThat(env.getValue()).as(env.getName() + " must come from a Secret").isNull());
        }
    }

    @SuppressWarnings("unchecked")
    private static void collectSecretValues(String path, Object node, List<String> out) {
        if (node instanceof Map<?, ?> map) {
            map.forEach((k, v) -> {
                if (SECRET_KEYS.contains(String.valueOf(k)) && v instanceof String text) {
                    out.add(text);
                }
                collectSecretValues(path + "." + k, v, out);
            });
        } else if (node instanceof List<?> list) {
            list.forEach(item -> collectSecretValues(path, item, out));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"config.runner.cloudSecret", "config.cloud.auth.hmacSecret",
        "config.installations[0].apps[0].webhookSecret", "config.installations[0].apps[0].github.privateKey",
        "config.installations[0].apps[0].oauth.clientSecret", "config.auth.clients[0].secret"})
    void renderingRefusesALiteralSecretNamingItsKey(String key) {
        assertThatThrownBy(() -> with(Map.of(key, "hunter2-literal-secret")))
            .hasMessageContaining(key.replaceAll("\\[(\\d+)]", "[$1]"))
            .hasMessageContaining("reference")
            .hasMessageNotContaining("hunter2");
    }

    @Test
    void renderingRefusesABrokerPasswordWrittenIntoTheUri() {
        assertThatThrownBy(() -> with(Map.of("config.rabbitmq.uri", "amqp://atlas:hunter2@rabbitmq:5672/")))
            .hasMessageContaining("config.rabbitmq.uri");
        assertThat(at(HelmChart.atlasYaml(with(Map.of("config.rabbitmq.uri", "${file:/etc/atlas/secrets/r/uri}"))),
            "rabbitmq.uri")).isEqualTo("${file:/etc/atlas/secrets/r/uri}");
    }

    @ParameterizedTest
    @ValueSource(ints = {8080, 9090})
    void probesContainerPortAndServiceFollowServerPort(int port) {
        List<HasMetadata> objects = with(Map.of("server.port", port));
        assertThat(((Number) at(HelmChart.atlasYaml(objects), "server.port")).intValue()).isEqualTo(port);
        Container atlas = HelmChart.statefulSet(objects).getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(atlas.getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getContainerPort()).isEqualTo(port);
            assertThat(p.getName()).isEqualTo("http");
        });
        assertThat(atlas.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/health/live");
        assertThat(atlas.getStartupProbe().getHttpGet().getPath()).isEqualTo("/health/live");
        assertThat(atlas.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/health/ready");
        Stream.of(atlas.getLivenessProbe(), atlas.getReadinessProbe(), atlas.getStartupProbe())
            .forEach(probe -> assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("http"));
        for (Service service : HelmChart.ofKind(objects, Service.class)) {
            assertThat(service.getSpec().getPorts()).singleElement()
                .satisfies(p -> assertThat(p.getTargetPort().getStrVal()).isEqualTo("http"));
        }
        assertThat(atlas.getArgs()).containsExactly("run", "--config", "/etc/atlas/atlas.yaml");
    }

    @ParameterizedTest
    @ValueSource(ints = {5, 30, 120})
    void terminationGracePeriodExceedsTheShutdownTimeout(int timeoutSeconds) {
        List<HasMetadata> objects = with(Map.of("shutdown.timeoutSeconds", timeoutSeconds));
        assertThat(at(HelmChart.atlasYaml(objects), "shutdown.timeout")).isEqualTo(timeoutSeconds + "s");
        assertThat(HelmChart.statefulSet(objects).getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds())
            .isGreaterThan((long) timeoutSeconds);
    }

    @Test
    void podRunsAsNonRootWithReadOnlyRootFilesystemAndNoCapabilities() {
        PodSpec pod = HelmChart.statefulSet(defaults()).getSpec().getTemplate().getSpec();
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getRunAsUser()).isPositive();
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        Container atlas = pod.getContainers().get(0);
        assertThat(atlas.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(atlas.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(atlas.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(atlas.getSecurityContext().getCapabilities().getAdd()).isNullOrEmpty();
        assertThat(atlas.getResources().getLimits()).containsKey("memory");
        assertThat(atlas.getVolumeMounts()).anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/tmp"));
    }

    @Test
    void webhookSpoolLivesOnEachReplicasOwnVolumeClaim() {
        List<HasMetadata> objects = everything();
        StatefulSet statefulSet = HelmChart.statefulSet(objects);
        assertThat(statefulSet.getSpec().getVolumeClaimTemplates()).singleElement()
            .satisfies(claim -> assertThat(claim.getMetadata().getName()).isEqualTo("data"));
        Container atlas = statefulSet.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(atlas.getVolumeMounts()).anySatisfy(m -> {
            assertThat(m.getName()).isEqualTo("data");
            assertThat(m.getMountPath()).isEqualTo("/var/lib/atlas");
        });
        Map<String, Object> config = HelmChart.atlasYaml(objects);
        assertThat(at(config, "webhooks.spoolDir")).isEqualTo("/var/lib/atlas/spool");
        // several replicas share one key folder, mounted from the operator's Secret
        assertThat(at(config, "auth.signingKeys")).isEqualTo("/etc/atlas/keys");
        assertThat(at(HelmChart.atlasYaml(defaults()), "auth.signingKeys")).isEqualTo("/var/lib/atlas/keys");
    }

    @Test
    void severalReplicasWithoutSharedSigningKeysAreRefused() {
        assertThatThrownBy(() -> with(Map.of("replicaCount", 2))).hasMessageContaining("signingKeys.existingSecret");
    }

    private static NetworkPolicy policy(List<HasMetadata> objects, String name) {
        return HelmChart.ofKind(objects, NetworkPolicy.class).stream()
            .filter(p -> p.getMetadata().getName().equals(name)).findFirst()
            .orElseThrow(() -> new AssertionError("no NetworkPolicy " + name));
    }

    @Test
    void networkPolicyLetsOutOnlyDnsAndTheConfiguredPeers() {
        NetworkPolicy policy = policy(everything(), "atlas");
        assertThat(policy.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
        List<NetworkPolicyEgressRule> egress = policy.getSpec().getEgress();
        assertThat(egress).hasSize(6);
        assertThat(egress.get(0).getPorts()).allSatisfy(p -> assertThat(p.getPort().getIntVal()).isEqualTo(53));
        assertThat(egress).allSatisfy(rule -> assertThat(rule.getTo()).isNotEmpty());
        assertThat(policy.getSpec().getIngress()).hasSize(2).allSatisfy(rule ->
            assertThat(rule.getPorts()).singleElement().satisfies(p -> assertThat(p.getPort().getIntVal())
                .isEqualTo(8080)));
    }

    @Test
    void atlasOwnNetworkPolicyAdmitsTheJobPodsWhateverIngressFromSays() {
        NetworkPolicy policy = policy(everything(), "atlas");
        assertThat(policy.getSpec().getIngress()).anySatisfy(rule -> assertThat(rule.getFrom()).singleElement()
            .satisfies(peer -> {
                assertThat(peer.getNamespaceSelector().getMatchLabels())
                    .containsExactly(Map.entry("kubernetes.io/metadata.name", "atlas-jobs"));
                assertThat(peer.getPodSelector().getMatchLabels())
                    .containsExactly(Map.entry(JobSpec.JOB_LABEL, "true"));
            }));
    }

    /**
     * The jobs run the cloud's code next to the source (SPEC §6): by default their pods (the driver's job label) may
     * reach Atlas's pods on server.port and DNS, nothing else, and accept no connection, in the jobs' namespace.
     */
    @ParameterizedTest
    @ValueSource(ints = {8080, 9090})
    void jobsNetworkPolicyIsOnByDefaultAndLetsJobsReachOnlyAtlasAndDns(int port) {
        List<HasMetadata> objects = with(Map.of("server.port", port));
        NetworkPolicy policy = policy(objects, "atlas-jobs");
        assertThat(policy.getMetadata().getNamespace()).isEqualTo("atlas-jobs");
        assertThat(policy.getSpec().getPodSelector().getMatchLabels())
            .containsExactly(Map.entry(JobSpec.JOB_LABEL, "true"));
        assertThat(policy.getSpec().getPodSelector().getMatchExpressions()).isNullOrEmpty();
        assertThat(policy.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
        assertThat(policy.getSpec().getIngress()).as("no ingress at all").isNullOrEmpty();
        List<NetworkPolicyEgressRule> egress = policy.getSpec().getEgress();
        assertThat(egress).hasSize(2).allSatisfy(rule -> {
            assertThat(rule.getTo()).as("every rule names its peers").singleElement().satisfies(peer -> {
                assertThat(peer.getIpBlock()).isNull();
                assertThat(peer.getNamespaceSelector().getMatchLabels()).isNotEmpty();
                assertThat(peer.getPodSelector().getMatchLabels()).isNotEmpty();
            });
            assertThat(rule.getPorts()).isNotEmpty();
        });
        Map<String, String> atlasPods = HelmChart.statefulSet(objects).getSpec().getTemplate().getMetadata()
            .getLabels();
        assertThat(egress.get(0).getTo().get(0).getNamespaceSelector().getMatchLabels())
            .containsExactly(Map.entry("kubernetes.io/metadata.name", HelmChart.NAMESPACE));
        assertThat(atlasPods).containsAllEntriesOf(egress.get(0).getTo().get(0).getPodSelector().getMatchLabels());
        assertThat(egress.get(0).getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getPort().getIntVal()).isEqualTo(port);
            assertThat(p.getProtocol()).isEqualTo("TCP");
        });
        assertThat(egress.get(1).getTo().get(0).getPodSelector().getMatchLabels())
            .containsExactly(Map.entry("k8s-app", "kube-dns"));
        assertThat(egress.get(1).getPorts()).extracting(p -> p.getPort().getIntVal() + "/" + p.getProtocol())
            .containsExactlyInAnyOrder("53/UDP", "53/TCP");
    }

    @Test
    void jobsNetworkPolicyCanBeSwitchedOffAndIsOnlyForTheKubernetesDriver() {
        assertThat(HelmChart.ofKind(with(Map.of("jobs.networkPolicy.enabled", false)), NetworkPolicy.class))
            .isEmpty();
        assertThat(HelmChart.ofKind(with(Map.of("config.tasks.driver", "nomad")), NetworkPolicy.class)).isEmpty();
    }

    @Test
    void chartTestAsksReadinessThroughTheService() throws IOException {
        Pod test = HelmChart.ofKind(HelmChart.testHooks(client, Map.of()), Pod.class).stream()
            .findFirst().orElseThrow();
        assertThat(Files.readString(HelmChart.CHART.resolve("templates/tests/ready.yaml"))).contains("helm.sh/hook: test");
        Container curl = test.getSpec().getContainers().get(0);
        assertThat(curl.getArgs()).contains("--fail").last().isEqualTo("http://atlas:80/health/ready");
        assertThat(curl.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(test.getSpec().getRestartPolicy()).isEqualTo("Never");
    }

    @Test
    void serverTlsMountsTheSecretInPlaceAndSwitchesProbesJobUrlAndTestToHttps() {
        List<HasMetadata> objects = with(Map.of("server.tls.existingSecret", "atlas-tls"));
        Map<String, Object> yaml = HelmChart.atlasYaml(objects);
        assertThat(at(yaml, "server.tls.certificate")).isEqualTo("${file:/etc/atlas/tls/tls.crt}");
        assertThat(at(yaml, "server.tls.privateKey")).isEqualTo("${file:/etc/atlas/tls/tls.key}");
        assertThat(at(yaml, "tasks.jobUrl")).isEqualTo("https://atlas.atlas.svc:80");
        PodSpec pod = HelmChart.statefulSet(objects).getSpec().getTemplate().getSpec();
        assertThat(pod.getVolumes()).anySatisfy(v -> {
            assertThat(v.getName()).isEqualTo("tls");
            assertThat(v.getSecret().getSecretName()).isEqualTo("atlas-tls");
        });
        Container atlas = pod.getContainers().get(0);
        // no subPath: a subPath mount never sees the kubelet's in-place renewal
        assertThat(atlas.getVolumeMounts()).anySatisfy(m -> {
            assertThat(m.getMountPath()).isEqualTo("/etc/atlas/tls");
            assertThat(m.getSubPath()).isNull();
        });
        Stream.of(atlas.getLivenessProbe(), atlas.getReadinessProbe(), atlas.getStartupProbe())
            .forEach(probe -> assertThat(probe.getHttpGet().getScheme()).isEqualTo("HTTPS"));
        assertThat(HelmChart.ofKind(HelmChart.testHooks(client, Map.of("server.tls.existingSecret", "atlas-tls")),
            Pod.class)).singleElement().satisfies(test -> assertThat(
            test.getSpec().getContainers().get(0).getArgs()).contains("--insecure").last()
            .isEqualTo("https://atlas:80/health/ready"));
        assertThat(HelmChart.statefulSet(defaults()).getSpec().getTemplate().getSpec().getContainers().get(0)
            .getReadinessProbe().getHttpGet().getScheme()).isEqualTo("HTTP");
        assertThat(at(HelmChart.atlasYaml(everything()), "server.tls.certificate")).isNotNull();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
        replicaCount               | two
        server.port                | http
        jobs.networkPolicy.enabled | maybe
        frobnicate                 | 1
        server.tls.secret          | atlas-tls
        """)
    void valuesSchemaRefusesAWrongTypeOrAnUnknownValue(String key, String value) {
        assertThatThrownBy(() -> HelmChart.template(Optional.empty(), Map.of(key, value)))
            .hasMessageContaining("schema");
    }

    @Test
    void jobUrlIsTheReleasesServiceUnlessGiven() {
        assertThat(at(HelmChart.atlasYaml(defaults()), "tasks.jobUrl")).isEqualTo("http://atlas.atlas.svc:80");
        assertThat(at(HelmChart.atlasYaml(with(Map.of("service.port", 8081))), "tasks.jobUrl"))
            .isEqualTo("http://atlas.atlas.svc:8081");
        assertThat(at(HelmChart.atlasYaml(with(Map.of("config.tasks.jobUrl", "http://atlas.internal:8080"))),
            "tasks.jobUrl")).isEqualTo("http://atlas.internal:8080");
        assertThat(at(HelmChart.atlasYaml(with(Map.of("config.tasks.driver", "nomad"))), "tasks.jobUrl")).isNull();
    }

    @Test
    void renderedAtlasYamlPassesAtlasCheckWithTheSecretsMounted(@TempDir Path dir) throws Exception {
        Map<String, String> files = Map.of("atlas-runner/cloudSecret", "whsec_c2VjcmV0LWJ5dGVzLWZvci10aGUtY2xvdWQ=",
            "atlas-runner/cloudJwtSecret", "an-hs256-key-of-at-least-thirty-two-bytes",
            "atlas-runner/oauthClientSecret", "client-secret", "atlas-github/webhookSecret", "hook",
            "atlas-github/privateKey", Distribution.rsaPem(), "atlas-github/clientSecret", "oauth",
            "atlas-gitlab/webhookSecret", "gl-hook", "atlas-bitbucket/webhookSecret", "bb-hook",
            "atlas-bitbucket/appPassword", "bb-password", "atlas-rabbitmq/password", "guest");
        files = new java.util.HashMap<>(files);
        files.put("atlas-runner/ca.pem", dev.atlas.testkit.net.TestPki.create("Corporate CA").caPem());
        files.put("atlas-runner/proxyPassword", "proxy-password");
        for (Map.Entry<String, String> file : files.entrySet()) {
            Path path = dir.resolve("secrets").resolve(file.getKey());
            Files.createDirectories(path.getParent());
            Files.writeString(path, file.getValue() + "\n");
        }
        Files.createDirectories(dir.resolve("keys"));
        dev.atlas.testkit.net.TestPki.Issued tls = dev.atlas.testkit.net.TestPki.create("Chart CA")
            .issue("chart", "atlas.atlas.svc");
        Files.createDirectories(dir.resolve("tls"));
        Files.writeString(dir.resolve("tls/tls.crt"), tls.certificatePem());
        Files.writeString(dir.resolve("tls/tls.key"), tls.keyPem());
        Files.createDirectories(dir.resolve("routes"));
        Files.createDirectories(dir.resolve("policies"));
        for (List<HasMetadata> objects : List.of(defaults(), everything())) {
            // the pod's mount points, moved into a temporary folder
            String yaml = HelmChart.atlasYamlText(objects).replace("/etc/atlas/secrets/", dir.resolve("secrets") + "/")
                .replace("/etc/atlas/", dir + "/").replace("/var/lib/atlas/", dir.resolve("data") + "/");
            Path config = dir.resolve("atlas.yaml");
            Files.writeString(config, yaml);
            Distribution.Result result = Distribution.run(Map.of("GL_TOKEN", "gl-token"), "check", "--config",
                config.toString());
            assertThat(result.exitCode()).as(result.output()).isZero();
        }
    }
}
