package dev.atlas.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpHeaders;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/** A request's id leaves the logging MDC with its exchange, and only its own id does. */
class RequestCaptureTest {
    @AfterEach
    void clear() {
        MDC.clear();
    }

    @Test
    void aDoneExchangeTakesItsRequestIdOutOfTheMdc() {
        MDC.put("requestId", "req-1");
        RequestCapture.forget(exchangeOf("req-1"));
        assertThat(MDC.get("requestId")).isNull();
    }

    @Test
    void aDoneExchangeLeavesAnotherRequestsIdInTheMdc() {
        MDC.put("requestId", "req-2");
        RequestCapture.forget(exchangeOf("req-1"));
        assertThat(MDC.get("requestId")).isEqualTo("req-2");
    }

    private static Exchange exchangeOf(String requestId) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.setProperty(InboundRequest.PROPERTY, new InboundRequest(requestId, "POST", "/x", Optional.empty(),
            HttpHeaders.of(Map.of(), (k, v) -> true), new byte[0], "127.0.0.1"));
        return exchange;
    }
}
