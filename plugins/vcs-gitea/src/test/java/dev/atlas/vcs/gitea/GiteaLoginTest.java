package dev.atlas.vcs.gitea;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.atlas.api.Secret;
import dev.atlas.api.config.ProblemList;
import dev.atlas.api.vcs.AppSettings;
import dev.atlas.api.vcs.LoginException;
import dev.atlas.api.vcs.OAuthClientSettings;
import dev.atlas.api.vcs.OAuthLogin;
import dev.atlas.api.vcs.VcsProvider;
import dev.atlas.api.vcs.VcsUser;
import dev.atlas.testkit.ConfigTrees;
import dev.atlas.testkit.TestHost;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** OAuth login against an in-process fake Gitea answering with the shapes of Gitea's API documentation. */
class GiteaLoginTest {
    private static final URI CALLBACK = URI.create("https://atlas.acme.example/auth/callback/gt-main");
    private static final String CODE = "code-7f3a";
    /** GET /api/v1/user (structs.User), abridged. */
    private static final String USER = "{\"id\":3,\"login\":\"jdoe\",\"login_name\":\"\",\"full_name\":\"Jane Doe\","
        + "\"email\":\"jdoe@noreply.gitea.acme.example\",\"avatar_url\":\"https://gitea.acme.example/avatars/3\","
        + "\"language\":\"en-US\",\"is_admin\":false,\"active\":true,\"prohibit_login\":false,\"visibility\":\"public\"}";

    private final Map<String, Answer> answers = new ConcurrentHashMap<>();
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private HttpServer gitea;
    private String base;
    private VcsProvider provider;

    record Answer(int status, String body) {
    }

    record Seen(String method, String path, String authorization, String contentType, String body) {
    }

    @BeforeEach
    void start() throws Exception {
        gitea = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        gitea.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            seen.add(new Seen(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                exchange.getRequestHeaders().getFirst("Authorization"), exchange.getRequestHeaders().getFirst("Content-Type"), body));
            Answer answer = answers.getOrDefault(exchange.getRequestURI().getPath(), new Answer(404, "{\"message\":\"not found\"}"));
            byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json;charset=utf-8");
            exchange.sendResponseHeaders(answer.status(), bytes.length == 0 ? -1 : bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        gitea.start();
        base = "http://127.0.0.1:" + gitea.getAddress().getPort();
        AppSettings app = new AppSettings("acme", "gt-main", "gitea", URI.create(base), URI.create(base + "/api/v1"),
            Secret.of("hook"), Optional.of(new OAuthClientSettings("gt-client", Secret.of("gt-client-secret"))),
            "installations[0].apps[0]");
        ProblemList problems = new ProblemList();
        provider = new GiteaVcsProviderFactory().configure(app,
            ConfigTrees.section("installations[0].apps[0].gitea", Map.of("token", "gt-token"), problems), problems);
        provider.open(TestHost.create());
    }

    @AfterEach
    void stop() {
        provider.close();
        gitea.stop(0);
    }

    private OAuthLogin login() {
        return (OAuthLogin) provider;
    }

    private void tokenAnswers(String accessToken) {
        answers.put("/login/oauth/access_token", new Answer(200, "{\"access_token\":\"" + accessToken + "\",\"token_type\":\"bearer\","
            + "\"expires_in\":3600,\"refresh_token\":\"r-1\"}"));
    }

    @Test
    void sendsTheBrowserToGiteasAuthorizePage() {
        assertThat(login().authorizeUrl(CALLBACK, "xyz").toString()).isEqualTo(base
            + "/login/oauth/authorize?client_id=gt-client&redirect_uri=https%3A%2F%2Fatlas.acme.example%2Fauth%2Fcallback%2Fgt-main"
            + "&response_type=code&state=xyz&scope=read%3Auser");
    }

    @Test
    void exchangesTheCodeAndReportsTheVerifiedPrimaryEmailNotTheProfilesNoreplyAddress() throws Exception {
        tokenAnswers("gto-user");
        answers.put("/api/v1/user", new Answer(200, USER));
        answers.put("/api/v1/user/emails", new Answer(200, "[{\"email\":\"old@acme.example\",\"verified\":true,\"primary\":false,"
            + "\"user_id\":3,\"username\":\"jdoe\"},{\"email\":\"jane@acme.example\",\"verified\":true,\"primary\":true,"
            + "\"user_id\":3,\"username\":\"jdoe\"}]"));

        VcsUser user = login().exchange(CODE, CALLBACK);

        assertThat(user).isEqualTo(new VcsUser("3", "jdoe", Optional.of("Jane Doe"), Optional.of("jane@acme.example"), true));
        Seen exchange = seen.get(0);
        assertThat(exchange.method()).isEqualTo("POST");
        assertThat(exchange.path()).isEqualTo("/login/oauth/access_token");
        assertThat(exchange.contentType()).isEqualTo("application/x-www-form-urlencoded");
        assertThat(exchange.body()).contains("grant_type=authorization_code", "code=" + CODE, "client_id=gt-client",
            "client_secret=gt-client-secret", "redirect_uri=https%3A%2F%2Fatlas.acme.example%2Fauth%2Fcallback%2Fgt-main");
        assertThat(seen.subList(1, 3)).extracting(Seen::path).containsExactly("/api/v1/user", "/api/v1/user/emails");
        assertThat(seen.subList(1, 3)).extracting(Seen::authorization).containsOnly("Bearer gto-user");
    }

    @Test
    void marksAnUnverifiedPrimaryEmailUnverified() throws Exception {
        tokenAnswers("t");
        answers.put("/api/v1/user", new Answer(200, "{\"id\":3,\"login\":\"jdoe\",\"full_name\":\"\"}"));
        answers.put("/api/v1/user/emails", new Answer(200, "[{\"email\":\"jane@acme.example\",\"verified\":false,\"primary\":true}]"));
        VcsUser user = login().exchange(CODE, CALLBACK);
        assertThat(user.email()).contains("jane@acme.example");
        assertThat(user.emailVerified()).isFalse();
        assertThat(user.name()).isEmpty();
    }

    @Test
    void reportsNoEmailWhenNoneIsPrimary() throws Exception {
        tokenAnswers("t");
        answers.put("/api/v1/user", new Answer(200, USER));
        answers.put("/api/v1/user/emails", new Answer(200, "[{\"email\":\"x@acme.example\",\"verified\":true,\"primary\":false}]"));
        VcsUser user = login().exchange(CODE, CALLBACK);
        assertThat(user.email()).isEmpty();
        assertThat(user.emailVerified()).isFalse();
    }

    @Test
    void reportsARefusedCodeByItsOAuthErrorWithoutEchoingIt() {
        answers.put("/login/oauth/access_token", new Answer(400, "{\"error\":\"invalid_grant\","
            + "\"error_description\":\"client is not authorized\"}"));
        assertThatThrownBy(() -> login().exchange(CODE, CALLBACK)).isInstanceOf(LoginException.class)
            .hasMessageContaining("invalid_grant").hasMessageNotContaining(CODE).hasMessageNotContaining("gt-client-secret");
    }

    @Test
    void reportsAProfileErrorWithoutTheUserToken() {
        tokenAnswers("gto-secret-user");
        answers.put("/api/v1/user", new Answer(403, "{\"message\":\"token does not have required scope\"}"));
        assertThatThrownBy(() -> login().exchange(CODE, CALLBACK)).isInstanceOf(LoginException.class)
            .hasMessageContaining("403").hasMessageNotContaining("gto-secret-user");
    }

    @Test
    void reportsAnEmailListError() {
        tokenAnswers("t");
        answers.put("/api/v1/user", new Answer(200, USER));
        answers.put("/api/v1/user/emails", new Answer(500, ""));
        assertThatThrownBy(() -> login().exchange(CODE, CALLBACK)).isInstanceOf(LoginException.class)
            .hasMessageContaining("500").hasMessageContaining("email");
    }

    @Test
    void refusesAProfileWithoutId() {
        tokenAnswers("t");
        answers.put("/api/v1/user", new Answer(200, "{\"login\":\"jdoe\"}"));
        assertThatThrownBy(() -> login().exchange(CODE, CALLBACK)).isInstanceOf(LoginException.class)
            .hasMessageContaining("no id or login");
    }

    @Test
    void reportsAnUnreachableGitea() {
        gitea.stop(0);
        assertThatThrownBy(() -> login().exchange(CODE, CALLBACK)).isInstanceOf(LoginException.class)
            .hasMessageContaining("could not be reached");
    }
}
