package dev.atlas.core.metrics;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/** Answers {@code GET /metrics} with the Prometheus text format ({@code prometheusScrape}). */
public final class PrometheusScrape implements Processor {
    private final MicrometerMetrics metrics;

    public PrometheusScrape(MicrometerMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void process(Exchange exchange) {
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
        exchange.getMessage().setBody(metrics.scrape());
    }
}
