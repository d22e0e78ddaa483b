package dev.atlas.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.atlas.testkit.LogLines;
import java.net.http.HttpHeaders;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/** An error answer's log line names its own request, whatever request the thread served last. */
class ErrorResponderTest {
    @AfterEach
    void clear() {
        MDC.clear();
    }

    @Test
    void theLineOfAnErrorAnswerCarriesItsOwnRequestIdInTheMdc() throws Exception {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.setProperty(InboundRequest.PROPERTY, new InboundRequest("req-answered", "POST", "/vcs/graphql",
            Optional.empty(), HttpHeaders.of(Map.of(), (k, v) -> true), new byte[0], "127.0.0.1"));
        exchange.setProperty(Exchange.EXCEPTION_CAUGHT, AtlasException.notFound("no such app"));
        MDC.put("requestId", "req-served-before");
        List<ILoggingEvent> lines = LogLines.during(ErrorResponder.class.getName(),
            () -> new ErrorResponder().process(exchange));
        assertThat(exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(404);
        assertThat(lines).singleElement()
            .satisfies(line -> assertThat(line.getMDCPropertyMap()).containsEntry("requestId", "req-answered"));
    }
}
