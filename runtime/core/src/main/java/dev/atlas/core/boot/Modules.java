package dev.atlas.core.boot;

import dev.atlas.core.idp.IdpModule;
import dev.atlas.core.jobs.GitModule;
import dev.atlas.core.jobs.ResultModule;
import dev.atlas.core.proxy.ProxyModule;
import dev.atlas.core.tasks.TaskModule;
import dev.atlas.core.webhooks.WebhookModule;
import java.util.List;

/** The gateway's duties, in the order they are configured. */
public final class Modules {
    private Modules() {
    }

    /** A fresh instance of every module. */
    public static List<ApplicationModule> all() {
        return List.of(new WebhookModule(), new ProxyModule(), new IdpModule(), new TaskModule(), new GitModule(),
            new ResultModule());
    }
}
