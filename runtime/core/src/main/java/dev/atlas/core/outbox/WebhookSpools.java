package dev.atlas.core.outbox;

import dev.atlas.core.config.AtlasConfig;
import java.io.IOException;

/** Opens the spool {@code webhooks.spool} names. */
public final class WebhookSpools {
    private WebhookSpools() {
    }

    public static WebhookSpool open(AtlasConfig config) throws IOException {
        AtlasConfig.Webhooks settings = config.webhooks();
        if (settings.spool().equals("rabbitmq")) {
            return RabbitWebhookSpool.open(config.rabbitmq().orElseThrow().uri(), settings.queue(), settings.maxAge(),
                settings.maxBackoff(), config.runner().cloudSecret());
        }
        return FileWebhookSpool.open(settings.spoolDir());
    }

    /** The spool for {@code atlas webhooks list|replay}, which runs beside a running Atlas. */
    public static WebhookSpool openForTools(AtlasConfig config) throws IOException {
        return config.webhooks().spool().equals("rabbitmq") ? open(config)
            : FileWebhookSpool.openForTools(config.webhooks().spoolDir());
    }
}
