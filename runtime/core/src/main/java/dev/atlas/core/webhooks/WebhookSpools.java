package dev.atlas.core.webhooks;

import dev.atlas.core.config.AtlasConfig;
import java.io.IOException;

/** Opens the spool {@code webhooks.spool} names. */
public final class WebhookSpools {
    private WebhookSpools() {
    }

    public static WebhookSpool open(AtlasConfig config) throws IOException {
        AtlasConfig.Webhooks settings = config.webhooks();
        if (settings.spool().equals("rabbitmq")) {
            throw new IOException("webhooks.spool: rabbitmq is not available in this version; use file");
        }
        return FileWebhookSpool.open(settings.spoolDir());
    }

    /** The spool for {@code atlas webhooks list|replay}, which runs beside a running Atlas. */
    public static FileWebhookSpool openForTools(AtlasConfig config) throws IOException {
        return FileWebhookSpool.openForTools(config.webhooks().spoolDir());
    }
}
