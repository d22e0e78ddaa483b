package dev.atlas.plugin.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OAuthCallsTest {
    /** Stands in for the plugin API's LoginException. */
    static final class Refused extends Exception {
        Refused(String message) {
            super(message);
        }

        Refused(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final AtomicReference<String> contentType = new AtomicReference<>();
    private HttpServer server;
    private volatile int status;
    private volatile String answer;

    @BeforeEach
    void startTokenEndpoint() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/token", exchange -> {
            contentType.set(exchange.getRequestHeaders().getFirst("Content-Type"));
            byte[] body = answer.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private OAuthCalls<Refused> calls() {
        return new OAuthCalls<>("GitHub", HttpClient.newHttpClient(), Refused::new, Refused::new);
    }

    private HttpRequest.Builder tokenPost() {
        URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/token");
        return HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString("code=c"));
    }

    @Test
    void returnsTheAccessTokenOfASuccessfulExchangeSentAsAForm() throws Exception {
        status = 200;
        answer = "{\"access_token\":\"gho_x\"}";

        assertThat(calls().accessToken(tokenPost())).isEqualTo("gho_x");
        assertThat(contentType.get()).isEqualTo("application/x-www-form-urlencoded");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "200 | {\"error\":\"bad_verification_code\"} | GitHub refused the login: bad_verification_code",
        "400 | {\"error\":\"invalid_grant\"}         | GitHub refused the login: invalid_grant",
        "502 | <html>                                | GitHub answered 502 to the code exchange",
        "200 | {\"token_type\":\"bearer\"}           | GitHub's code exchange returned no access token",
    })
    void reportsEachFailedExchangeAsTheGivenException(int code, String body, String message) {
        status = code;
        answer = body;

        assertThatThrownBy(() -> calls().accessToken(tokenPost())).isInstanceOf(Refused.class).hasMessage(message);
    }

    @Test
    void reportsAVcsThatCannotBeReachedWithTheCause() {
        server.stop(0);

        assertThatThrownBy(() -> calls().send(tokenPost(), "the profile request")).isInstanceOf(Refused.class)
            .hasMessage("GitHub could not be reached for the profile request").hasCauseInstanceOf(IOException.class);
    }
}
