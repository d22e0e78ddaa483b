package dev.atlas.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atlas.core.boot.Assembly;
import dev.atlas.core.boot.Bootstrap;
import dev.atlas.core.fakes.TestConfigs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigValidationTest {
    @TempDir
    Path dir;

    private Assembly assemble(String yaml, Map<String, String> env) throws ConfigException {
        return Bootstrap.assemble(TestConfigs.write(dir, yaml), env::get, dir);
    }

    private ConfigException problemsOf(String yaml) {
        return (ConfigException) org.assertj.core.api.Assertions.catchThrowable(() -> assemble(yaml, Map.of()));
    }

    @Test
    void acceptsAValidConfigAndConfiguresEveryApp() throws Exception {
        try (Assembly assembly = assemble(TestConfigs.valid(8080, "https://asgard.example", ""), Map.of())) {
            assertThat(assembly.providers()).containsOnlyKeys("fake-main");
            assertThat(assembly.config().server().maxBodyBytes()).isEqualTo(1024);
            assertThat(assembly.config().webhooks().maxAttempts()).isEqualTo(20);
            assertThat(assembly.config().runner().cloudSecret().reveal()).isEqualTo("secret-bytes-for-the-cloud");
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        unknown top-level key       | frobnicate: 1                                   | frobnicate: unknown key
        unknown webhooks key        | 'webhooks: {spool: file, colour: red}'           | webhooks.colour: unknown key
        bad spool kind              | 'webhooks: {spool: tape}'                        | webhooks.spool: must be file or rabbitmq
        rabbit spool without broker | 'webhooks: {spool: rabbitmq}'                    | webhooks.spool: rabbitmq needs the top-level
        bad duration                | 'webhooks: {maxAge: forever}'                    | webhooks.maxAge: must be a duration
        bad amqp uri                | 'rabbitmq: {uri: http://broker}'                 | rabbitmq.uri: must be an amqp:// or amqps://
        client without redirects    | 'auth: {clients: [{id: c1, secret: s}]}'         | auth.clients[0].redirectUris: must list
        client with http redirect   | 'auth: {clients: [{id: c, redirectUris: [http://e.example/cb]}]}' | auth.clients[0].redirectUris[0]: must use https
        redirect with fragment      | 'auth: {clients: [{id: c, redirectUris: [https://a.example/#x]}]}' | auth.clients[0].redirectUris[0]: must be absolute
        unknown login storage       | 'auth: {storage: redis}'                         | auth.storage: must be memory, file or kubernetes
        unknown auth.kubernetes key | 'auth: {storage: kubernetes, kubernetes: {namespace: a, zone: b}}' | auth.kubernetes.zone: unknown key
        """)
    void reportsAWrongValueUnderItsFullKey(String name, String extra, String expected) {
        ConfigException e = problemsOf(TestConfigs.valid(8080, "https://asgard.example", extra + "\n"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith(expected));
    }

    @Test
    void keepsLoginStateInTheDataFolderByDefaultAndInTheNamedNamespaceWithKubernetes() throws Exception {
        try (Assembly assembly = assemble(TestConfigs.valid(8080, "https://asgard.example", ""), Map.of())) {
            assertThat(assembly.config().auth().storage()).isEqualTo(
                new AtlasConfig.AuthStorage("file", dir.resolve("data/auth"), "", java.util.Optional.empty()));
        }
        try (Assembly assembly = assemble(TestConfigs.valid(8080, "https://asgard.example",
            "auth: {storage: kubernetes, kubernetes: {namespace: atlas}}\n"), Map.of())) {
            assertThat(assembly.config().auth().storage().type()).isEqualTo("kubernetes");
            assertThat(assembly.config().auth().storage().namespace()).isEqualTo("atlas");
        }
    }

    @Test
    void requiresANamespaceForKubernetesLoginStorageOutsideAPod() {
        org.junit.jupiter.api.Assumptions.assumeFalse(Files.exists(ConfigReader.POD_NAMESPACE), "runs in a pod");
        ConfigException e = problemsOf(TestConfigs.valid(8080, "https://asgard.example", "auth: {storage: kubernetes}\n"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("auth.kubernetes.namespace: is required"));
    }

    @Test
    void listsEveryProblemAtOnceEachWithItsKey() {
        String yaml = TestConfigs.valid(8080, "https://asgard.example", "")
            .replace("id: test-runner", "id: Bad_Runner")
            .replace("publicUrl: http://127.0.0.1:8080", "publicUrl: not-a-url")
            .replace("webhookSecret: hook-secret", "webhookSecret: \"\"\n        colour: blue")
            .replace("flavour: plain", "flavour: bland")
            .replace("driver: fake", "driver: mainframe")
            .replace("port: 8080", "port: 99999");
        ConfigException e = problemsOf(yaml + """
            installations2: []
            """);
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("runner.id: must be lowercase"))
            .anySatisfy(p -> assertThat(p).startsWith("runner.publicUrl: must be an absolute http(s) URL"))
            .anySatisfy(p -> assertThat(p).startsWith("server.port: must be between 0 and 65535"))
            .anySatisfy(p -> assertThat(p).isEqualTo("installations[0].apps[0].webhookSecret: must not be empty"))
            .anySatisfy(p -> assertThat(p).startsWith("installations[0].apps[0].colour: unknown key"))
            .anySatisfy(p -> assertThat(p).isEqualTo("installations[0].apps[0].fakevcs.flavour: must be plain, spicy or restonly"))
            .anySatisfy(p -> assertThat(p).startsWith("tasks.driver: unknown driver 'mainframe'"))
            .anySatisfy(p -> assertThat(p).startsWith("installations2: unknown key"));
        assertThat(e.problems()).hasSizeGreaterThanOrEqualTo(8);
    }

    @Test
    void listsABrokenPolicyAndABrokenRouteTogetherThePolicyFirst() throws Exception {
        // the policies are read on their own thread while the routes are read: both problems, in the steps' order
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/fake-main.yaml"), "version: 9\n");
        Files.createDirectories(dir.resolve("routes"));
        Files.writeString(dir.resolve("routes/bad.camel.yaml"), """
            - route:
                from:
                  uri: direct:nameless
                  steps:
                    - log: x
            """);
        ConfigException e = problemsOf(TestConfigs.valid(8080, "https://asgard.example", """
            policies: {dir: policies}
            routes: {dir: routes}
            """));
        assertThat(e.problems()).hasSize(2);
        assertThat(e.problems().get(0)).startsWith("policies.dir: policy for app fake-main:");
        assertThat(e.problems().get(1)).startsWith("routes.dir: bad.camel.yaml: every route needs an id");
    }

    @Test
    void reportsDuplicateAppIdsAndUnknownVcsIds() {
        String yaml = TestConfigs.valid(8080, "https://asgard.example", "").replace("""
                    fakevcs:
                      flavour: plain
            """, """
                    fakevcs:
                      flavour: plain
                  - id: fake-main
                    vcs: subversion
                    webUrl: https://svn.example
                    apiUrl: https://svn.example/api
                    webhookSecret: s
            """);
        ConfigException e = problemsOf(yaml);
        assertThat(e.problems())
            .contains("installations[0].apps[1].id: duplicate app id fake-main (also at installations[0].apps[0].id)")
            .anySatisfy(p -> assertThat(p).startsWith("installations[0].apps[1].vcs: unknown VCS 'subversion'"));
    }

    @Test
    void resolvesSecretReferencesFromEnvironmentAndFilesRelativeToTheConfig() throws Exception {
        Files.writeString(dir.resolve("hook.txt"), "from-a-file\n");
        String yaml = TestConfigs.valid(8080, "https://asgard.example", "")
            .replace("webhookSecret: hook-secret", "webhookSecret: ${file:hook.txt}")
            .replace("cloudSecret: whsec_c2VjcmV0LWJ5dGVzLWZvci10aGUtY2xvdWQ=", "cloudSecret: ${env:CLOUD_SECRET}");
        try (Assembly assembly = assemble(yaml, Map.of("CLOUD_SECRET", "plain-cloud-secret"))) {
            assertThat(assembly.config().apps().get(0).settings().webhookSecret().reveal()).isEqualTo("from-a-file");
            assertThat(assembly.config().runner().cloudSecret().reveal()).isEqualTo("plain-cloud-secret");
        }
    }

    @Test
    void reportsUnresolvableReferencesOnceAndNeverPrintsTheirValues() {
        String yaml = TestConfigs.valid(8080, "https://asgard.example", "")
            .replace("webhookSecret: hook-secret", "webhookSecret: ${file:/nonexistent/hook}")
            .replace("hmacSecret: " + TestConfigs.CLOUD_JWT_SECRET, "hmacSecret: ${env:NOT_SET_ANYWHERE}");
        ConfigException e = problemsOf(yaml);
        assertThat(e.problems()).contains(
            "installations[0].apps[0].webhookSecret: cannot read file /nonexistent/hook (NoSuchFileException)",
            "cloud.auth.hmacSecret: environment variable NOT_SET_ANYWHERE is not set");
        assertThat(e.problems()).filteredOn(p -> p.startsWith("installations[0].apps[0].webhookSecret")).hasSize(1);
        assertThat(e.problems()).filteredOn(p -> p.startsWith("cloud.auth")).hasSize(1);
        assertThat(e.getMessage()).doesNotContain("hook-secret").doesNotContain(TestConfigs.CLOUD_JWT_SECRET);
    }

    @Test
    void acceptsSecretReferencesInsideFlowMappingsAsTheSpecWritesThem() throws Exception {
        Files.writeString(dir.resolve("hook.txt"), "flow-secret\n");
        String yaml = TestConfigs.valid(8080, "https://asgard.example", "")
            .replace("webhookSecret: hook-secret", "webhookSecret: ${file:hook.txt}")
            .replace("""
                    fakevcs:
                      flavour: plain
            """, """
                    fakevcs: { flavour: ${env:FLAVOUR} }
            """)
            + "rabbitmq: { uri: ${env:AMQP} }\n";
        try (Assembly assembly = assemble(yaml, Map.of("FLAVOUR", "spicy", "AMQP", "amqp://u:p@127.0.0.1:5672/"))) {
            assertThat(assembly.config().apps().get(0).settings().webhookSecret().reveal()).isEqualTo("flow-secret");
            assertThat(assembly.config().rabbitmq()).get().extracting(r -> r.uri().getHost()).isEqualTo("127.0.0.1");
        }
    }

    @Test
    void namesLineAndColumnOfAYamlSyntaxError() {
        ConfigException e = problemsOf("runner:\n  id: x\n  publicUrl: [unclosed\n");
        assertThat(e.problems()).singleElement().satisfies(p -> assertThat(p).matches(".*atlas\\.yaml:\\d+:\\d+: YAML syntax error.*"));
    }

    @Test
    void refusesAMissingFile() {
        assertThatThrownBy(() -> Bootstrap.assemble(dir.resolve("nope.yaml"), k -> null, dir))
            .isInstanceOf(ConfigException.class).hasMessageContaining("no such file");
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "audience {0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"", "\"  \""})
    void refusesAConfigWithoutTheCloudTokensAudience(String audience) {
        String yaml = TestConfigs.valid(8080, "https://asgard.example", "")
            .replace("    audience: test-runner\n", audience.isEmpty() ? "" : "    audience: " + audience + "\n");
        assertThat(problemsOf(yaml).problems()).contains("cloud.auth.audience: is required: the aud your cloud puts "
            + "in the tokens it signs for this runner (for example the runner id)");
    }
}
