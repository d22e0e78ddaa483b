package dev.atlas.identity;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * How access codes and refresh-token families are written into a {@link dev.atlas.identity.store.LoginStore}: flat
 * string maps (ConfigMap data keys), and store keys that are SHA-256 hex digests, so no record and no key holds a
 * code or token a client could present.
 */
final class LoginRecords {
    private LoginRecords() {
    }

    /** The store key of {@code value}: its SHA-256, lowercase hex. */
    static String key(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static Map<String, String> identity(Identity identity) {
        Map<String, String> data = new LinkedHashMap<>();
        data.put("installation", identity.installation());
        data.put("app", identity.app());
        data.put("vcs", identity.vcs());
        data.put("userId", identity.userId());
        data.put("login", identity.login());
        identity.name().ifPresent(n -> data.put("name", n));
        identity.email().ifPresent(e -> data.put("email", e));
        data.put("emailVerified", Boolean.toString(identity.emailVerified()));
        return data;
    }

    static Identity identity(Map<String, String> data) {
        return new Identity(required(data, "installation"), required(data, "app"), required(data, "vcs"),
            required(data, "userId"), required(data, "login"), Optional.ofNullable(data.get("name")),
            Optional.ofNullable(data.get("email")), Boolean.parseBoolean(data.get("emailVerified")));
    }

    static Map<String, String> grant(AuthorizationCodes.Grant grant) {
        Map<String, String> data = identity(grant.identity());
        data.put("clientId", grant.clientId());
        data.put("redirectUri", grant.redirectUri());
        grant.codeChallenge().ifPresent(c -> data.put("codeChallenge", c));
        data.put("scope", grant.scope());
        grant.nonce().ifPresent(n -> data.put("nonce", n));
        data.put("authTime", grant.authTime().toString());
        return data;
    }

    static AuthorizationCodes.Grant grant(Map<String, String> data) {
        return new AuthorizationCodes.Grant(required(data, "clientId"), required(data, "redirectUri"),
            Optional.ofNullable(data.get("codeChallenge")), required(data, "scope"),
            Optional.ofNullable(data.get("nonce")), identity(data), Instant.parse(required(data, "authTime")));
    }

    static String required(Map<String, String> data, String name) {
        String value = data.get(name);
        if (value == null) {
            throw new IllegalStateException("a stored login record lacks " + name);
        }
        return value;
    }
}
