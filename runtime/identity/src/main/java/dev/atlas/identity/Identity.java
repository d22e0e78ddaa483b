package dev.atlas.identity;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.atlas.api.vcs.AppSettings;
import dev.atlas.api.vcs.VcsUser;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A user signed in through one VCS app, as the identity provider names them to clients.
 *
 * <p>{@link #sub()} is {@code {vcs}:{installation}:{app}:{VCS user id}}: the VCS's stable id, never the login (logins
 * can be renamed and reused), and scoped to the installation and app, because two VCS installations can both have a
 * user {@code alice} with the same id. Installation and app ids cannot hold {@code :}, so the form is unambiguous; a
 * subject that would exceed the 255 ASCII characters OpenID Connect allows is replaced by a hash of itself.
 */
record Identity(String installation, String app, String vcs, String userId, String login, Optional<String> name,
    Optional<String> email, boolean emailVerified) {

    /** The user claims every ID token and userinfo answer carries, besides {@code sub}. */
    static final List<String> CLAIMS = List.of("preferred_username", "name", "email", "email_verified", "vcs", "app",
        "installation");

    static Identity of(AppSettings app, VcsUser user) {
        return new Identity(app.installationId(), app.appId(), app.vcs(), user.id(), user.login(), user.name(),
            user.email(), user.email().isPresent() && user.emailVerified());
    }

    String sub() {
        String plain = vcs + ":" + installation + ":" + app + ":" + userId;
        if (plain.length() <= 255 && plain.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            return plain;
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(plain.getBytes(StandardCharsets.UTF_8));
            return vcs + ":" + installation + ":" + app + ":sha256-"
                + Base64.getUrlEncoder().withoutPadding().encodeToString(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code sub} and the user claims, as userinfo answers them. */
    Map<String, Object> claims() {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("sub", sub());
        claims.put("preferred_username", login);
        name.ifPresent(n -> claims.put("name", n));
        email.ifPresent(e -> claims.put("email", e));
        claims.put("email_verified", emailVerified);
        claims.put("vcs", vcs);
        claims.put("app", app);
        claims.put("installation", installation);
        return claims;
    }

    /** Adds {@code sub} and the user claims to a token. */
    JWTClaimsSet.Builder addTo(JWTClaimsSet.Builder builder) {
        claims().forEach(builder::claim);
        return builder;
    }

    /** Adds everything {@link #from} needs: the claims and the VCS user id (only for tokens Atlas alone reads). */
    JWTClaimsSet.Builder sealInto(JWTClaimsSet.Builder builder) {
        return addTo(builder).claim("vcs_user_id", userId);
    }

    /** The identity a token made by {@link #sealInto} carries. */
    static Identity from(JWTClaimsSet claims) throws ParseException {
        String userId = claims.getStringClaim("vcs_user_id");
        String login = claims.getStringClaim("preferred_username");
        String vcs = claims.getStringClaim("vcs");
        String app = claims.getStringClaim("app");
        String installation = claims.getStringClaim("installation");
        if (userId == null || login == null || vcs == null || app == null || installation == null) {
            throw new ParseException("incomplete identity", 0);
        }
        Boolean verified = claims.getBooleanClaim("email_verified");
        return new Identity(installation, app, vcs, userId, login, Optional.ofNullable(claims.getStringClaim("name")),
            Optional.ofNullable(claims.getStringClaim("email")), verified != null && verified);
    }
}
