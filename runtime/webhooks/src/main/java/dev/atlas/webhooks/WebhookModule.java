package dev.atlas.webhooks;

import dev.atlas.core.outbox.SpooledWebhook;
import dev.atlas.api.vcs.WebhookVerifier;
import dev.atlas.core.boot.ApplicationModule;
import dev.atlas.core.boot.ModuleContext;
import dev.atlas.core.config.AtlasConfig;
import dev.atlas.core.outbound.OutboundHttp;
import dev.atlas.core.outbox.CloudSigner;
import dev.atlas.core.outbox.DeliveryOutcomes;
import dev.atlas.core.outbox.DeliveryRoute;
import dev.atlas.core.outbox.Outbox;
import dev.atlas.core.outbox.ReplayWindow;
import dev.atlas.core.outbox.RetryPolicy;
import dev.atlas.core.outbox.WebhookDelivery;
import dev.atlas.core.outbox.WebhookSend;
import dev.atlas.core.outbox.WebhookSign;
import dev.atlas.core.outbox.WebhookSpool;
import dev.atlas.core.outbox.WebhookSpools;

/**
 * The webhook relay (SPEC §4): binds the steps of {@code webhooks.camel.yaml} ({@code webhookApp},
 * {@code webhookVerify}, {@code webhookSpool}; {@code webhookSign}, {@code webhookSend}, which the job results'
 * delivery route shares) and starts the delivery loop that feeds {@code webhook-delivery}, opens the spool
 * ({@code webhooks.spool}), and makes readiness depend on the spool
 * being writable.
 */
public final class WebhookModule implements ApplicationModule {
    /** Deliveries under way at once: they wait on the cloud, not on this machine. */
    static final int DELIVERY_CONCURRENCY = 16;

    private Outbox outbox;
    private ReplayWindow replays;

    @Override
    public void configure(ModuleContext context) throws Exception {
        AtlasConfig config = context.assembly().config();
        AtlasConfig.Webhooks settings = config.webhooks();
        WebhookSpool spool = WebhookSpools.open(config);
        spool.measureSyncs(context.metrics(), "webhooks");
        RetryPolicy policy = new RetryPolicy(settings.maxAttempts(), settings.maxAge(), settings.maxBackoff());
        WebhookDelivery delivery = new WebhookDelivery(spool, new DeliveryRoute(context.camel(), DeliveryRoute.WEBHOOKS,
            webhook -> event(context.assembly(), webhook)), policy,
            config.cloud().deliveryTimeout(), context.clock(), DeliveryOutcomes.webhooks(context.metrics()),
            DELIVERY_CONCURRENCY);
        replays = settings.spool().equals("rabbitmq")
            ? new MemoryReplayWindow(settings.replayWindow(), MemoryReplayWindow.DEFAULT_CAPACITY)
            : new FileReplayWindow(settings.spoolDir().resolve("bodies"), settings.replayWindow());
        delivery.alsoPrune(replays);
        if (spool.acceptsWithoutBlocking()) {
            // webhookApp, webhookVerify and this spool's webhookSpool never wait: no worker thread per webhook
            dev.atlas.core.http.EventLoopRoutes.of(context.camel()).add("/webhook/{vcs}/{appId}");
        }
        context.bind("webhookApp", new WebhookApp(context.assembly().providers(), context.metrics()));
        context.bind("webhookVerify", new WebhookVerify(context.metrics()));
        context.bind("webhookSpool", new WebhookSpoolStep(spool, replays, delivery::wake, context.metrics(),
            context.clock(), context.camel().getExecutorServiceManager().newCachedThreadPool(this,
                "webhook-continuations")));
        // shared by every delivery route (the relay's and the job results')
        context.bind("webhookSign", new WebhookSign(new CloudSigner(config.runner().cloudSecret()), config.runner().id(),
            context.clock()));
        context.bind("webhookSend", new WebhookSend(config.cloud().url(),
            OutboundHttp.shared(context.camel(), context.outbound()), config.cloud().deliveryTimeout()));
        outbox = Outbox.startingWith(context.camel(), spool, delivery);
        context.metrics().gauge("webhooks_spool_depth", spool::depth);
        context.addReadinessCheck(outbox.readiness("webhook-spool", settings.spool()));
    }

    @Override
    public void beforeStop() {
        if (outbox != null) {
            outbox.beginStop();
        }
    }

    @Override
    public void close() {
        if (outbox != null) {
            outbox.close();
        }
        if (replays instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                org.slf4j.LoggerFactory.getLogger(WebhookModule.class).warn("cannot close the replay window: {}",
                    e.toString());
            }
        }
    }

    /** The provider's event of a spooled webhook, as its app's VCS plugin reads it from the relayed headers. */
    private static String event(dev.atlas.core.boot.Assembly assembly, SpooledWebhook webhook) {
        return assembly.provider(webhook.appId())
            .filter(WebhookVerifier.class::isInstance).map(WebhookVerifier.class::cast)
            .flatMap(verifier -> verifier.event(webhook.headers())).orElse("");
    }

    @Override
    public java.util.Set<String> steps() {
        return java.util.Set.of("webhookApp", "webhookVerify", "webhookSpool", "webhookSign", "webhookSend");
    }

    @Override
    public String id() {
        return "webhooks";
    }

    @Override
    public int order() {
        return 10;
    }
}
