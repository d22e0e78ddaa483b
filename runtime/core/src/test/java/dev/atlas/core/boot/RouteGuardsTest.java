package dev.atlas.core.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atlas.api.config.ProblemList;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The route checker over admin files as {@code routes.dir} holds them: what it refuses and what it lets through. */
class RouteGuardsTest {
    @TempDir
    Path dir;

    static List<Arguments> refusedRoutes() {
        return List.of(
            Arguments.of("spoolWithoutVerify", steps("webhookApp", "webhookSpool"),
                "route r: webhookSpool is reached without webhookVerify"),
            Arguments.of("verifyAfterSpool", steps("webhookApp", "webhookSpool", "webhookVerify"),
                "route r: webhookSpool is reached without webhookVerify"),
            Arguments.of("forwardWithoutPolicy", steps("proxyAuthenticate", "proxyApp", "proxyCredentials",
                "proxyForward"), "route r: proxyForward is reached without proxyPolicy"),
            Arguments.of("forwardWithoutEither", steps("proxyApp", "proxyForward"),
                "route r: proxyForward is reached without proxyAuthenticate and proxyPolicy"),
            Arguments.of("dispatchWithoutAuthentication", steps("taskDispatch"),
                "route r: taskDispatch is reached without taskAuthenticate"),
            Arguments.of("unknownRef", steps("webhookApp", "webhookVerify", "auditTapp", "webhookSpool"),
                "route r: step ref auditTapp names no known step or bean"),
            Arguments.of("spoolThroughABeanUri", """
                - process: { ref: webhookApp }
                - to: "bean:webhookSpool?method=process"
                """, "route r: webhookSpool is reached without webhookVerify"),
            Arguments.of("spoolAsABeanStep", """
                - bean: { ref: webhookSpool }
                """, "route r: webhookSpool is reached without webhookVerify"),
            // a guard in a filter is not on every path: the exchanges the filter lets by skip it
            Arguments.of("verifyOnlyInAFilter", """
                - process: { ref: webhookApp }
                - filter:
                    simple: "${header.X-GitHub-Event} == 'push'"
                    steps:
                      - process: { ref: webhookVerify }
                - process: { ref: webhookSpool }
                """, "route r: webhookSpool is reached without webhookVerify"),
            // even on every branch of a choice, a nested guard does not count after the block (the safe rule)
            Arguments.of("policyInEveryBranchOfAChoice", """
                - process: { ref: proxyAuthenticate }
                - process: { ref: proxyApp }
                - choice:
                    when:
                      - simple: "${header.AtlasVcs} == 'github'"
                        steps:
                          - process: { ref: proxyPolicy }
                    otherwise:
                      steps:
                        - process: { ref: proxyPolicy }
                - process: { ref: proxyForward }
                """, "route r: proxyForward is reached without proxyPolicy"),
            Arguments.of("spoolInADoTryWithoutVerify", """
                - doTry:
                    steps:
                      - process: { ref: webhookSpool }
                """, "route r: webhookSpool is reached without webhookVerify"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedRoutes")
    void refusesARouteThatRoutesAroundAGuard(String name, String steps, String problem) throws Exception {
        Files.writeString(dir.resolve("admin.camel.yaml"), route("r", steps));
        assertThat(load()).singleElement().asString().contains("routes.dir: admin.camel.yaml: " + problem);
    }

    @Test
    void acceptsAGuardBeforeANestedSinkAndAdminStepsBetweenGuards() throws Exception {
        Files.writeString(dir.resolve("admin.camel.yaml"), route("r", """
            - process: { ref: webhookApp }
            - process: { ref: webhookVerify }
            - filter:
                simple: "${header.AtlasEvent} != 'ping'"
                steps:
                  - setHeader:
                      name: X-Acme
                      constant: "1"
                  - process: { ref: webhookSpool }
            """));
        assertThat(load()).isEmpty();
    }

    @Test
    void acceptsEveryShippedRoute() {
        assertThat(load()).isEmpty();
    }

    @Test
    void listsEveryProblemOfEveryFileAtOnce() throws Exception {
        Files.writeString(dir.resolve("a.camel.yaml"), route("a", steps("webhookSpool")));
        Files.writeString(dir.resolve("b.camel.yaml"), route("b", steps("taskDispatch", "noSuchBean")));
        Files.writeString(dir.resolve("c.camel.yaml"), "- route:\n    id: c\n    from: [unclosed\n");
        assertThat(load()).hasSize(4)
            .anySatisfy(p -> assertThat(p).contains("a.camel.yaml: route a: webhookSpool"))
            .anySatisfy(p -> assertThat(p).contains("b.camel.yaml: route b: taskDispatch"))
            .anySatisfy(p -> assertThat(p).contains("b.camel.yaml: route b: step ref noSuchBean"))
            .anySatisfy(p -> assertThat(p).matches(".*c\\.camel\\.yaml: YAML syntax error at line \\d+, column \\d+.*"));
    }

    @Test
    void refusesAFileCamelCannotReadThoughItIsValidYaml() throws Exception {
        Files.writeString(dir.resolve("typo.camel.yaml"), route("r", """
            - process: { ref: webhookApp }
            - fliter:
                simple: "${header.AtlasEvent} == 'ping'"
            """));
        assertThat(load()).singleElement().asString().startsWith("routes.dir: typo.camel.yaml: Camel cannot read it: ")
            .contains("fliter");
    }

    @Test
    void acceptsEveryShippedFileCopiedIntoTheAdminFolder() throws Exception {
        for (String name : List.of("webhooks", "proxy", "tasks", "auth", "ops", "jobs-git", "jobs-results")) {
            try (var in = RouteCatalog.class.getClassLoader().getResourceAsStream("routes/" + name + ".camel.yaml")) {
                Files.write(dir.resolve(name + ".camel.yaml"), in.readAllBytes());
            }
        }
        assertThat(load()).isEmpty();
    }

    @Test
    void checksTheRouteThatReplacesAShippedOne() throws Exception {
        Files.writeString(dir.resolve("proxy.camel.yaml"), """
            - route:
                id: vcs-proxy-rest
                from:
                  uri: platform-http:/vcs/rest
                  parameters: { matchOnUriPrefix: true }
                  steps:
                    - process: { ref: proxyAuthenticate }
                    - process: { ref: proxyApp }
                    - process: { ref: proxyCredentials }
                    - process: { ref: proxyForward }
                    - process: { ref: proxyRedact }
            """);
        assertThat(load()).singleElement().asString()
            .contains("proxy.camel.yaml: route vcs-proxy-rest: proxyForward is reached without proxyPolicy");
    }

    private List<String> load() {
        ProblemList problems = new ProblemList();
        RouteCatalog.load(Optional.of(dir), problems);
        return problems.lines();
    }

    private static String steps(String... refs) {
        StringBuilder out = new StringBuilder();
        for (String ref : refs) {
            out.append("- process: { ref: ").append(ref).append(" }\n");
        }
        return out.toString();
    }

    private static String route(String id, String steps) {
        return "- route:\n    id: " + id + "\n    from:\n      uri: platform-http:/x/" + id + "\n      steps:\n"
            + steps.indent(8);
    }
}
