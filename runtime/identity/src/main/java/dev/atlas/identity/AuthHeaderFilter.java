package dev.atlas.identity;

import dev.atlas.core.http.ResponseHeaderFilter;

/**
 * The HTTP header filter of the {@code auth.camel.yaml} routes ({@code headerFilterStrategy: "#authHeaderFilter"}).
 * Camel's default drops {@code Cache-Control} and {@code Pragma} from answers as hop-by-hop headers, but OAuth requires
 * {@code Cache-Control: no-store} on every answer carrying tokens, codes or login state (RFC 6749 §5.1), so these two
 * pass here; everything else is filtered as by default.
 */
public final class AuthHeaderFilter extends ResponseHeaderFilter {
    @Override
    protected void initialize() {
        super.initialize();
        getOutFilter().remove("cache-control");
        getOutFilter().remove("pragma");
    }
}
