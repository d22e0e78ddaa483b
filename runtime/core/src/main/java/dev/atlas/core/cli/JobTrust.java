package dev.atlas.core.cli;

import dev.atlas.core.outbound.BundleTrust;
import dev.atlas.core.outbound.PemCertificates;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;

/**
 * Inside a job, {@code ATLAS_CA_FILE} (set by the job's script when Atlas mounted {@code outbound.caBundle} because
 * {@code tasks.jobUrl} is https) names extra CAs: they become the JVM's default trust beside its own CAs, for the
 * patcher's HTTP client and its JGit connections to Atlas.
 */
final class JobTrust {
    private JobTrust() {
    }

    static void install(String caFile) {
        if (caFile == null || caFile.isBlank() || !Files.isReadable(Path.of(caFile))) {
            return;
        }
        try {
            SSLContext context = BundleTrust.context(BundleTrust.withBundle(PemCertificates.parse(
                Files.readString(Path.of(caFile), StandardCharsets.US_ASCII))));
            SSLContext.setDefault(context);
            HttpsURLConnection.setDefaultSSLSocketFactory(context.getSocketFactory());
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            System.err.println("ATLAS_CA_FILE " + caFile + " is not usable: " + e.getMessage());
        }
    }
}
