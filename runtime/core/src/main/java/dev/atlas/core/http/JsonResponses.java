package dev.atlas.core.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import java.io.UncheckedIOException;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/** Writes JSON answers: status, {@code Content-Type}, body; and the shared {@link ObjectMapper}. */
public final class JsonResponses {
    /** The mapper for every JSON Atlas writes or reads in processors. */
    public static final ObjectMapper MAPPER = new ObjectMapper()
        .registerModule(new Jdk8Module())
        .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    private JsonResponses() {
    }

    /** Sets {@code status} and {@code body} (serialised) as the answer of {@code exchange}. */
    public static void write(Exchange exchange, int status, Object body) {
        Message message = exchange.getMessage();
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        message.setBody(toBytes(body));
    }

    public static byte[] toBytes(Object body) {
        try {
            return MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
