package dev.atlas.core.cli;

import dev.atlas.core.demo.SampleCloud;
import dev.atlas.core.http.JsonResponses;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The promise, shown: two GraphQL calls the cloud sends through Atlas's VCS API proxy to the sample VCS. The one
 * asking for repository metadata is forwarded; the one asking for a file's contents ({@code Blob { text }}) is
 * refused with 403 and its reason, and the sample VCS receives nothing of it.
 */
final class DemoProxySample {
    static final String ALLOWED = "query { repository(owner: \"demo\", name: \"sample\") { name defaultBranchRef { "
        + "name } } }";
    static final String DENIED = "query { repository(owner: \"demo\", name: \"sample\") { object(expression: "
        + "\"HEAD:README.md\") { ... on Blob { text } } } }";

    private DemoProxySample() {
    }

    static void run(String base, SampleCloud vcs, String cloudToken, PrintWriter out)
        throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        call(http, base, vcs, cloudToken, "allowed", ALLOWED, out);
        call(http, base, vcs, cloudToken, "denied", DENIED, out);
    }

    private static void call(HttpClient http, String base, SampleCloud vcs, String cloudToken, String label,
        String query, PrintWriter out) throws IOException, InterruptedException {
        vcs.received().clear();
        String body = JsonResponses.MAPPER.writeValueAsString(Map.of("query", query));
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + "/vcs/graphql"))
            .header("Authorization", "Bearer " + cloudToken).header("X-App-ID", "demo-github")
            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
            HttpResponse.BodyHandlers.ofString());
        out.println("sample proxy call (" + label + "): POST /vcs/graphql " + query);
        // a refusal's body says why (error, reason, rule); an allowed call's body is the VCS's answer
        out.println("  Atlas answered " + response.statusCode() + (response.statusCode() == 403 ? " "
            + JsonResponses.MAPPER.readTree(response.body()) : ""));
        List<String> reached = new ArrayList<>();
        vcs.received().stream().filter(r -> r.path().endsWith("/graphql"))
            .forEach(r -> reached.add(r.method() + " " + r.path()));
        out.println("  the sample VCS received: " + (reached.isEmpty() ? "nothing" : String.join(", ", reached)));
    }
}
