package dev.atlas.vcs.github;

import dev.atlas.api.config.ConfigSection;
import java.security.interfaces.RSAPrivateKey;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code apps[j].github} section: which GitHub App Atlas acts as.
 *
 * <pre>
 * github:
 *   appId: "12345"                         # App ID, or the App's client ID (Iv1.…, Iv23…)
 *   privateKey: ${file:/etc/atlas/gh.pem}  # PEM, PKCS#1 or PKCS#8, RSA ≥ 2048 bits
 *   installationId: "678"                  # optional default installation
 * </pre>
 *
 * @param appId the JWT issuer: the numeric App ID or the App's client ID
 * @param privateKey the App's private key, signing App JWTs
 * @param installationId the installation used when a call names none
 */
record GithubConfig(String appId, RSAPrivateKey privateKey, Optional<String> installationId) {
    static final Set<String> KEYS = Set.of("appId", "privateKey", "installationId");

    /** GitHub accepts either the numeric App ID or the App's client ID as the JWT issuer. */
    private static final Pattern APP_ID = Pattern.compile("[0-9]{1,20}|Iv[0-9A-Za-z.]{1,60}");
    private static final Pattern INSTALLATION_ID = Pattern.compile("[0-9]{1,20}");

    /** Reads and checks the section; every problem goes to the section's problems with its full key. */
    static Optional<GithubConfig> read(ConfigSection section) {
        section.allowOnly(KEYS);
        Optional<String> appId = section.requiredString("appId").map(String::trim).filter(id -> {
            boolean ok = APP_ID.matcher(id).matches();
            if (!ok) {
                section.problems().add(section.keyOf("appId"), "must be the numeric GitHub App ID or the App's client ID");
            }
            return ok;
        });
        Optional<RSAPrivateKey> key = section.requiredSecret("privateKey").flatMap(secret -> {
            try {
                return Optional.of(RsaPemKeys.parse(secret.reveal()));
            } catch (RsaPemKeys.BadKeyException e) {
                section.problems().add(section.keyOf("privateKey"), e.getMessage());
                return Optional.empty();
            }
        });
        Optional<String> installationId = section.string("installationId").map(String::trim);
        boolean installationOk = installationId.map(id -> INSTALLATION_ID.matcher(id).matches()).orElse(true);
        if (!installationOk) {
            section.problems().add(section.keyOf("installationId"), "must be a numeric installation id");
        }
        if (appId.isEmpty() || key.isEmpty() || !installationOk) {
            return Optional.empty();
        }
        return Optional.of(new GithubConfig(appId.get(), key.get(), installationId));
    }

    /** Never shows the key: the JDK's own key {@code toString} prints the private exponent. */
    @Override
    public String toString() {
        return "GithubConfig[appId=" + appId + ", privateKey=***, installationId=" + installationId.orElse("-") + "]";
    }
}
