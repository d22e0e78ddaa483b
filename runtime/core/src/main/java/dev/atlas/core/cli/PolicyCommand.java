package dev.atlas.core.cli;

import dev.atlas.api.vcs.GraphqlApi;
import dev.atlas.core.boot.Assembly;
import dev.atlas.core.boot.Bootstrap;
import dev.atlas.core.config.ConfigException;
import dev.atlas.core.http.JsonResponses;
import dev.atlas.policies.Decision;
import dev.atlas.policies.LoadedPolicy;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code atlas policy test}: asks an app's policy about one request, as the proxy would. */
@Command(name = "policy", mixinStandardHelpOptions = true, description = "Check requests against API policies.",
    subcommands = PolicyCommand.Test.class)
public final class PolicyCommand {

    /**
     * {@code atlas policy test --config FILE --app ID (--graphql FILE | --rest "METHOD /path") [--accept TYPE]
     * [--body FILE [--content-type TYPE]]}:
     * prints {@code allowed} (exit 0) or {@code denied: <reason>} (exit 1).
     */
    @Command(name = "test", mixinStandardHelpOptions = true,
        description = "Print 'allowed' (exit 0) or 'denied: <reason>' (exit 1) for one GraphQL document or REST call.")
    static final class Test implements Callable<Integer> {
        @Option(names = "--config", required = true, paramLabel = "FILE")
        Path config;

        @Option(names = "--app", required = true, paramLabel = "ID", description = "the app whose policy decides")
        String app;

        @ArgGroup(multiplicity = "1")
        Request request;

        @Option(names = "--accept", paramLabel = "TYPE", description = "the Accept header of a REST call")
        List<String> accept = List.of();

        @Option(names = "--body", paramLabel = "FILE", description = "the request body of a REST write")
        Path body;

        @Option(names = "--content-type", paramLabel = "TYPE", defaultValue = "application/json",
            description = "the Content-Type of --body (default: ${DEFAULT-VALUE})")
        String contentType;

        @Spec
        CommandSpec spec;

        /** One GraphQL document or one REST call. */
        static final class Request {
            @Option(names = "--graphql", paramLabel = "FILE",
                description = "a GraphQL document, or a JSON request body {\\\"query\\\": ...}")
            Path graphql;

            @Option(names = "--rest", paramLabel = "\"METHOD /path\"", description = "for example \"GET /repos/o/r\"")
            String rest;
        }

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            try (Assembly assembly = Bootstrap.assemble(config, System::getenv, AtlasCli.home())) {
                if (request.graphql != null && assembly.providers().containsKey(app)
                    && !(assembly.providers().get(app) instanceof GraphqlApi)) {
                    // as the proxy answers (404), before any policy: such a document never reaches the VCS
                    out.println("denied: " + GraphqlApi.NOT_OFFERED);
                    return AtlasCli.FAILED;
                }
                LoadedPolicy policy = assembly.policies().get(app);
                if (policy == null) {
                    spec.commandLine().getErr().println(assembly.providers().containsKey(app)
                        ? "app " + app + " has no policy: every call is denied" : "no app " + app);
                    return assembly.providers().containsKey(app) ? AtlasCli.FAILED : AtlasCli.USAGE;
                }
                Decision decision = request.graphql != null ? graphql(policy) : rest(policy);
                if (decision == null) {
                    return AtlasCli.USAGE;
                }
                // stdout is exactly the verdict; which rule and policy decided goes to stderr
                var err = spec.commandLine().getErr();
                if (decision.allowed()) {
                    out.println("allowed");
                    err.println("rule " + decision.rule() + ", policy " + policy.origin()
                        + decision.response().allowed().map(a -> ", response allow-list of " + a.size() + " paths").orElse("")
                        + (decision.redactions().isEmpty() ? "" : ", redacting " + String.join(", ", decision.redactions())));
                    return AtlasCli.OK;
                }
                out.println("denied: " + decision.reason());
                err.println("rule " + decision.rule() + ", policy " + policy.origin());
                return AtlasCli.FAILED;
            } catch (ConfigException e) {
                return AtlasCli.configProblems(e, spec.commandLine().getErr());
            }
        }

        private Decision graphql(LoadedPolicy policy) throws IOException {
            String text = Files.readString(request.graphql, StandardCharsets.UTF_8);
            String body = text.stripLeading().startsWith("{")
                ? text : new String(JsonResponses.toBytes(Map.of("query", text)), StandardCharsets.UTF_8);
            return policy.policy().checkGraphql(body);
        }

        private Decision rest(LoadedPolicy policy) throws IOException {
            String[] parts = request.rest.trim().split("\\s+", 2);
            if (parts.length != 2) {
                spec.commandLine().getErr().println("--rest takes \"METHOD /path\", for example \"GET /repos/o/r\"");
                return null;
            }
            String target = parts[1];
            int q = target.indexOf('?');
            String path = q < 0 ? target : target.substring(0, q);
            String query = q < 0 ? null : target.substring(q + 1);
            Map<String, List<String>> headers = new LinkedHashMap<>();
            if (!accept.isEmpty()) {
                headers.put("Accept", accept);
            }
            byte[] bytes = body == null ? new byte[0] : Files.readAllBytes(body);
            if (body != null) {
                headers.put("Content-Type", List.of(contentType));
            }
            return policy.policy().checkRest(parts[0], path, query, accept, headers, bytes);
        }
    }
}
