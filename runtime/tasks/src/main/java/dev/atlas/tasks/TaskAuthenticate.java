package dev.atlas.tasks;

import dev.atlas.core.cloud.CloudAuthenticator;
import dev.atlas.core.http.RequestCapture;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * {@code taskAuthenticate}, first step of {@code tasks-api}: captures the request and verifies the cloud's bearer
 * JWT ({@code Authorization}, as sent; 401 otherwise), like the VCS proxy does.
 */
public final class TaskAuthenticate implements Processor {
    /** Exchange property: set once the caller is authenticated. */
    static final String AUTHENTICATED = "atlas.task.authenticated";

    private final CloudAuthenticator authenticator;

    public TaskAuthenticate(CloudAuthenticator authenticator) {
        this.authenticator = authenticator;
    }

    @Override
    public void process(Exchange exchange) {
        authenticator.authenticate(RequestCapture.of(exchange).header("Authorization"));
        exchange.setProperty(AUTHENTICATED, Boolean.TRUE);
    }
}
