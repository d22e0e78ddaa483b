package dev.atlas.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpHeaders;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What never goes back in an answer: Atlas's own exchange headers and the request's headers and parameters. */
class ResponseHeaderFilterTest {
    @ParameterizedTest(name = "{0}: {1} dropped={2}")
    @CsvSource(delimiter = '|', value = {
        "AtlasAppId          | gh-main           | true",
        "atlaspolicyrule     | pull-get          | true",
        "X-Hub-Signature-256 | sha256=abc        | true",
        "x-hub-signature-256 | sha256=abc        | true",
        "X-Hub-Signature-256 | sha256=other      | false",
        "probe               | q 1               | true",
        "X-Request-Id        | req-1             | false",
        "ETag                | \"v1\"            | false",
        "CamelHttpUri        | /x                | true"})
    void dropsEchoesAndAtlasHeadersOnly(String name, String value, boolean dropped) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        HttpHeaders headers = HttpHeaders.of(Map.of("X-Hub-Signature-256", List.of("sha256=abc"),
            "Content-Type", List.of("application/json"), "X-Request-Id", List.of("req-1")), (k, v) -> true);
        exchange.setProperty(InboundRequest.PROPERTY, new InboundRequest("req-1", "POST", "/x",
            Optional.of("probe=q+1&other"), headers, new byte[0], "127.0.0.1"));
        assertThat(new ResponseHeaderFilter().applyFilterToCamelHeaders(name, value, exchange)).isEqualTo(dropped);
    }
}
