package dev.atlas.core.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonLineEncoderTest {
    private final Logger logger = new LoggerContext().getLogger("dev.atlas.core.proxy.VcsProxy");

    private JsonNode encode(LoggingEvent event) throws Exception {
        String line = new JsonLineEncoder().line(event);
        assertThat(line).endsWith("\n").doesNotContain("\n{");
        return new ObjectMapper().readTree(line);
    }

    @Test
    void writesTheFieldsCollectorsExpectWithTheRequestIdAtTheTop() throws Exception {
        LoggingEvent event = new LoggingEvent("x", logger, Level.INFO, "proxy decision {} for \"{}\"", null,
            new Object[] {"allowed", "GET /repos"});
        event.setTimeStamp(1_796_495_023_681L);
        event.setMDCPropertyMap(Map.of("requestId", "r-123", "message", "must not replace the message"));
        JsonNode json = encode(event);
        assertThat(json.path("time").asText()).isEqualTo("2026-12-05T18:23:43.681Z");
        assertThat(json.path("level").asText()).isEqualTo("INFO");
        assertThat(json.path("logger").asText()).isEqualTo("dev.atlas.core.proxy.VcsProxy");
        assertThat(json.path("message").asText()).isEqualTo("proxy decision allowed for \"GET /repos\"");
        assertThat(json.path("requestId").asText()).isEqualTo("r-123");
        assertThat(json.has("error")).isFalse();
    }

    @Test
    void keepsAMultiLineMessageAndItsStackTraceOnOneLine() throws Exception {
        LoggingEvent event = new LoggingEvent("x", logger, Level.WARN, "first\nsecond", new IllegalStateException(
            "boom"), null);
        event.setMDCPropertyMap(Map.of());
        JsonNode json = encode(event);
        assertThat(json.path("message").asText()).isEqualTo("first\nsecond");
        assertThat(json.path("error").asText()).contains("IllegalStateException: boom").contains("at ");
    }
}
