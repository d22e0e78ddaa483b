package dev.atlas.vcs.gitlab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.atlas.api.Secret;
import dev.atlas.api.vcs.CredentialException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The numeric project id Atlas looks up (with the app's token, over a fake GitLab) for a patch job's merge request. */
class GitlabProjectIdsTest {
    private final List<String> paths = new CopyOnWriteArrayList<>();
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private final AtomicReference<String> answer = new AtomicReference<>();
    private final AtomicInteger status = new AtomicInteger(200);
    private HttpServer gitlab;
    private URI apiUrl;

    @BeforeEach
    void start() throws Exception {
        gitlab = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        gitlab.createContext("/", exchange -> {
            paths.add(exchange.getRequestURI().getRawPath());
            authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
            byte[] body = answer.get().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status.get(), body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        gitlab.start();
        apiUrl = URI.create("http://127.0.0.1:" + gitlab.getAddress().getPort() + "/api/v4");
    }

    @AfterEach
    void stop() {
        gitlab.stop(0);
    }

    private String resolve(String path) throws CredentialException {
        return GitlabProjectIds.resolve(HttpClient.newHttpClient(), apiUrl, Secret.of("glpat-app"), path);
    }

    @Test
    void asksGitlabForTheProjectByItsEncodedPathWithTheAppsToken() throws Exception {
        answer.set("{\"id\": 4711, \"path_with_namespace\": \"group/sub/project\", \"runners_token\": \"x\"}");

        assertThat(resolve("group/sub/project")).isEqualTo("4711");
        assertThat(paths).containsExactly("/api/v4/projects/group%2Fsub%2Fproject");
        assertThat(authorizations).containsExactly("Bearer glpat-app");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"id\": 4711, \"path_with_namespace\": \"other/project\"}",
        "{\"id\": \"4711\", \"path_with_namespace\": \"group/sub/project\"}",
        "{\"id\": -1, \"path_with_namespace\": \"group/sub/project\"}",
        "{\"path_with_namespace\": \"group/sub/project\"}",
        "not json"})
    void refusesAnAnswerThatDoesNotNameTheProjectWithANumericId(String body) {
        answer.set(body);

        assertThatThrownBy(() -> resolve("group/sub/project")).isInstanceOfSatisfying(CredentialException.class,
            e -> assertThat(e.unreachable()).isFalse());
    }

    @Test
    void tellsAnUnknownProjectFromAnUnavailableGitlab() {
        answer.set("{\"message\": \"404 Project Not Found\"}");
        status.set(404);
        assertThatThrownBy(() -> resolve("group/project")).isInstanceOfSatisfying(CredentialException.class,
            e -> assertThat(e.unreachable()).isFalse());

        status.set(503);
        assertThatThrownBy(() -> resolve("group/project")).isInstanceOfSatisfying(CredentialException.class,
            e -> assertThat(e.unreachable()).isTrue());
    }

    @ParameterizedTest
    @ValueSource(strings = {"project", "group/../admin", "group/a b", "group//p", "/group/p", "group/p?x=1"})
    void refusesAPathThatIsNotAProjectPathWithoutAskingGitlab(String path) {
        answer.set("{}");

        assertThatThrownBy(() -> resolve(path)).isInstanceOf(CredentialException.class);
        assertThat(paths).isEmpty();
    }
}
