package dev.atlas.api.vcs;

import java.net.http.HttpHeaders;

/**
 * A webhook as it arrived: its headers (case-insensitive) and its raw body bytes, before anything parsed them.
 */
public record WebhookRequest(HttpHeaders headers, byte[] body) {
}
