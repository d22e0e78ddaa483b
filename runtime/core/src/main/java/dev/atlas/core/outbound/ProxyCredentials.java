package dev.atlas.core.outbound;

import dev.atlas.api.Secret;
import java.net.Authenticator;
import java.net.InetSocketAddress;
import java.net.PasswordAuthentication;

/**
 * Answers the egress proxy's {@code 407} with {@code outbound.proxy.username}/{@code password}, and answers nothing
 * else: a VCS or the cloud asking for credentials (401) never gets the proxy's, and neither does any other proxy.
 */
public final class ProxyCredentials extends Authenticator {
    private final InetSocketAddress proxy;
    private final String username;
    private final Secret password;

    public ProxyCredentials(InetSocketAddress proxy, String username, Secret password) {
        this.proxy = proxy;
        this.username = username;
        this.password = password;
    }

    @Override
    protected PasswordAuthentication getPasswordAuthentication() {
        if (getRequestorType() != RequestorType.PROXY || getRequestingPort() != proxy.getPort()
            || !proxy.getHostString().equalsIgnoreCase(getRequestingHost())) {
            return null;
        }
        return new PasswordAuthentication(username, password.reveal().toCharArray());
    }

    @Override
    public String toString() {
        return "ProxyCredentials[" + proxy.getHostString() + ":" + proxy.getPort() + ", user=***]";
    }
}
