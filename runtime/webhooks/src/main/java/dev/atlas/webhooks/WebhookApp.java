package dev.atlas.webhooks;

import dev.atlas.api.vcs.VcsProvider;
import dev.atlas.api.vcs.WebhookVerifier;
import dev.atlas.core.http.AtlasException;
import dev.atlas.core.http.InboundRequest;
import dev.atlas.core.http.RequestCapture;
import dev.atlas.core.http.RoutePath;
import dev.atlas.core.metrics.MicrometerMetrics;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * {@code webhookApp}, first step of {@code webhook-ingress}: captures the request and finds the app of the route's
 * own path parameters {@code {vcs}} and {@code {appId}} (404 for an unknown app, an app of another VCS or one whose
 * plugin verifies no webhooks). Leaves the app for {@link WebhookVerify}.
 */
public final class WebhookApp implements Processor {
    /** Exchange property: the app's {@link VcsProvider}, which is also its {@link WebhookVerifier}. */
    static final String PROVIDER = "atlas.webhook.provider";

    private final Map<String, VcsProvider> providers;
    private final MicrometerMetrics metrics;

    public WebhookApp(Map<String, VcsProvider> providers, MicrometerMetrics metrics) {
        this.providers = providers;
        this.metrics = metrics;
    }

    @Override
    public void process(Exchange exchange) {
        InboundRequest request = RequestCapture.of(exchange);
        Map<String, String> params = RoutePath.parameters(exchange, request.rawPath());
        String vcs = params.getOrDefault("vcs", "");
        String appId = params.getOrDefault("appId", "");
        VcsProvider provider = providers.get(appId);
        if (provider == null || !provider.app().vcs().equals(vcs) || !(provider instanceof WebhookVerifier)) {
            metrics.count("webhooks_rejected_total", "vcs", safeTag(vcs), "reason", "unknown_app");
            throw AtlasException.notFound("no " + safeTag(vcs) + " app with that id");
        }
        metrics.count("webhooks_received_total", "vcs", vcs, "app", appId);
        exchange.setProperty(PROVIDER, provider);
    }

    static String safeTag(String value) {
        return value.matches("[a-z0-9-]{1,32}") ? value : "other";
    }
}
