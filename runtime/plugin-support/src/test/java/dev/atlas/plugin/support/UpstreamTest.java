package dev.atlas.plugin.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UpstreamTest {

    @ParameterizedTest
    @CsvSource({"https://ghe.example/api/v3, /user", "https://ghe.example/api/v3/, /user", "https://ghe.example/api/v3//, /user"})
    void joinsAPathToABaseWithOrWithoutTrailingSlashes(String base, String path) {
        assertThat(Upstream.join(URI.create(base), path)).isEqualTo(URI.create("https://ghe.example/api/v3/user"));
    }

    @Test
    void writesAFormInIterationOrderWithSpacesAsPercentTwenty() {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("scope", "read:user user:email");
        params.put("state", "a&b=c");

        assertThat(Upstream.withQuery(URI.create("https://github.com/login/oauth/authorize"), params)).hasToString(
            "https://github.com/login/oauth/authorize?scope=read%3Auser%20user%3Aemail&state=a%26b%3Dc");
    }

    @Test
    void makesVcsTextPrintableAndShort() {
        assertThat(Upstream.printable(null)).isEmpty();
        assertThat(Upstream.printable("bad\r\ncode\u00e9")).isEqualTo("bad??code?");
        assertThat(Upstream.printable("x".repeat(500))).hasSize(200);
    }

    @Test
    void readsABodyThatIsNotJsonAsAMissingNode() {
        Upstream.Reply reply = new Upstream.Reply(502, "<html>".getBytes(StandardCharsets.UTF_8));

        assertThat(reply.json().isMissingNode()).isTrue();
        assertThat(reply.text()).isEqualTo("<html>");
        assertThat(reply.ok()).isFalse();
        assertThat(reply.transientFailure()).isTrue();
        assertThat(new Upstream.Reply(429, new byte[0]).transientFailure()).isTrue();
        assertThat(new Upstream.Reply(404, new byte[0]).transientFailure()).isFalse();
    }

    @Test
    void takesTextOnlyFromNonBlankJsonStrings() {
        JsonNodeFactory nodes = JsonNodeFactory.instance;

        assertThat(Upstream.text(nodes.textNode("octocat"))).contains("octocat");
        assertThat(Upstream.text(nodes.textNode("  "))).isEmpty();
        assertThat(Upstream.text(nodes.numberNode(7))).isEmpty();
        assertThat(Upstream.text(nodes.nullNode())).isEmpty();
        assertThat(Upstream.text(nodes.missingNode())).isEmpty();
    }
}
