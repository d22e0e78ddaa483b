package dev.atlas.patcher;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Removes known secret values from text before it is printed or reported. The patcher never puts a secret into a
 * message on purpose; this catches libraries that might echo one back (for example in a transport error).
 */
public final class Redactor {
    static final String MASK = "***";

    private final List<String> secrets = new ArrayList<>();

    /** Registers a secret, and its HTTP Basic form for the given user name, so that neither can appear in output. */
    public Redactor add(String secret, String basicUser) {
        if (secret != null && !secret.isEmpty()) {
            secrets.add(secret);
            if (basicUser != null) {
                secrets.add(Base64.getEncoder().encodeToString((basicUser + ":" + secret).getBytes(StandardCharsets.UTF_8)));
            }
        }
        return this;
    }

    /** Registers a secret that is only ever sent as a bearer token. */
    public Redactor add(String secret) {
        return add(secret, null);
    }

    /** The text with every registered secret replaced by {@value #MASK}; null stays null. */
    public String redact(String text) {
        if (text == null) {
            return null;
        }
        String result = text;
        for (String secret : secrets) {
            result = result.replace(secret, MASK);
        }
        return result;
    }
}
