package dev.atlas.vcs.github;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atlas.api.config.ProblemList;
import dev.atlas.testkit.ConfigTrees;
import java.security.KeyPair;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GithubConfigTest {
    private static final String KEY = "installations[0].apps[0].github";

    private final ProblemList problems = new ProblemList();

    private Optional<GithubConfig> read(Map<String, Object> values) {
        return GithubConfig.read(ConfigTrees.section(KEY, values, problems));
    }

    private static Map<String, Object> section(Object... keysAndValues) {
        Map<String, Object> map = new HashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    @Test
    void acceptsAPkcs1KeyAsGithubIssuesIt() {
        Optional<GithubConfig> config = read(section("appId", "12345", "privateKey", TestKeys.pkcs1Pem(TestKeys.RSA_2048)));
        assertThat(problems.lines()).isEmpty();
        assertThat(config.orElseThrow().privateKey().getModulus())
            .isEqualTo(((java.security.interfaces.RSAPublicKey) TestKeys.RSA_2048.getPublic()).getModulus());
    }

    @Test
    void acceptsAPkcs8Key() {
        assertThat(read(section("appId", "12345", "privateKey", TestKeys.pkcs8Pem(TestKeys.RSA_2048)))).isPresent();
        assertThat(problems.lines()).isEmpty();
    }

    @Test
    void acceptsTheAppsClientIdAsIssuerAndANumericAppIdGivenAsANumber() {
        assertThat(read(section("appId", "Iv23liABCdef.123", "privateKey", TestKeys.pkcs1Pem(TestKeys.RSA_2048)))).isPresent();
        assertThat(read(section("appId", 12345, "privateKey", TestKeys.pkcs1Pem(TestKeys.RSA_2048)))
            .orElseThrow().appId()).isEqualTo("12345");
        assertThat(problems.lines()).isEmpty();
    }

    @Test
    void acceptsAKeyWithTextAroundThePemBlock() {
        String pem = "Bag Attributes\n" + TestKeys.pkcs1Pem(TestKeys.RSA_2048) + "\n";
        assertThat(read(section("appId", "1", "privateKey", pem))).isPresent();
    }

    @Test
    void readsTheOptionalDefaultInstallation() {
        assertThat(read(section("appId", "1", "privateKey", TestKeys.pkcs8Pem(TestKeys.RSA_2048), "installationId", 678))
            .orElseThrow().installationId()).contains("678");
    }

    @Test
    void reportsAMissingSectionAsBothRequiredKeys() {
        Optional<GithubConfig> config = GithubConfig.read(ConfigTrees.absent(KEY, problems));
        assertThat(config).isEmpty();
        assertThat(problems.lines()).containsExactly(KEY + ".appId: must not be empty", KEY + ".privateKey: must not be empty");
    }

    @Test
    void reportsAMissingPrivateKeyWithItsFullKey() {
        assertThat(read(section("appId", "12345"))).isEmpty();
        assertThat(problems.lines()).containsExactly(KEY + ".privateKey: must not be empty");
    }

    @Test
    void reportsAnEmptyAppId() {
        read(section("appId", " ", "privateKey", TestKeys.pkcs1Pem(TestKeys.RSA_2048)));
        assertThat(problems.lines()).containsExactly(KEY + ".appId: must not be empty");
    }

    @ParameterizedTest
    @ValueSource(strings = {"my-app", "12 345", "-1", "Iv1 abc"})
    void reportsAnAppIdThatIsNeitherNumericNorAClientId(String appId) {
        read(section("appId", appId, "privateKey", TestKeys.pkcs1Pem(TestKeys.RSA_2048)));
        assertThat(problems.lines()).containsExactly(KEY + ".appId: must be the numeric GitHub App ID or the App's client ID");
    }

    @ParameterizedTest
    @ValueSource(strings = {"not a key", "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----",
        "-----BEGIN RSA PRIVATE KEY-----\n!!!!\n-----END RSA PRIVATE KEY-----",
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----",
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"})
    void reportsTextThatIsNotAPemRsaKey(String pem) {
        read(section("appId", "12345", "privateKey", pem));
        assertThat(problems.lines()).containsExactly(KEY + ".privateKey: not a PEM RSA private key");
    }

    @Test
    void reportsAnEcKeyAsNotAnRsaKey() {
        KeyPair ec = TestKeys.generate("EC", 256);
        read(section("appId", "12345", "privateKey", TestKeys.pkcs8Pem(ec)));
        assertThat(problems.lines()).containsExactly(KEY + ".privateKey: not a PEM RSA private key");
    }

    @Test
    void reportsAPkcs8KeyMislabelledAsPkcs1() {
        String mislabelled = TestKeys.pkcs8Pem(TestKeys.RSA_2048).replace("PRIVATE KEY", "RSA PRIVATE KEY");
        read(section("appId", "12345", "privateKey", mislabelled));
        assertThat(problems.lines()).containsExactly(KEY + ".privateKey: not a PEM RSA private key");
    }

    @Test
    void reportsAKeyShorterThan2048Bits() {
        read(section("appId", "12345", "privateKey", TestKeys.pkcs1Pem(TestKeys.generate("RSA", 1024))));
        assertThat(problems.lines()).containsExactly(KEY + ".privateKey: RSA key is shorter than 2048 bits");
    }

    @Test
    void reportsAnEncryptedKey() {
        String encrypted = TestKeys.pem("ENCRYPTED PRIVATE KEY", new byte[] {1, 2, 3});
        read(section("appId", "12345", "privateKey", encrypted));
        assertThat(problems.lines()).containsExactly(
            KEY + ".privateKey: encrypted private keys are not supported: give the key without a passphrase");
    }

    @Test
    void reportsANonNumericInstallationId() {
        read(section("appId", "1", "privateKey", TestKeys.pkcs1Pem(TestKeys.RSA_2048), "installationId", "acme"));
        assertThat(problems.lines()).containsExactly(KEY + ".installationId: must be a numeric installation id");
    }

    @Test
    void reportsEveryProblemAtOnce() {
        read(section("appId", "x y", "privateKey", "nope", "installationId", "z", "token", "t"));
        assertThat(problems.lines()).hasSize(4).anySatisfy(l -> assertThat(l).startsWith(KEY + ".token: unknown key"));
    }

    @Test
    void neverShowsThePrivateKeyInTextOrProblems() {
        String pem = TestKeys.pkcs1Pem(TestKeys.RSA_2048);
        GithubConfig config = read(section("appId", "1", "privateKey", pem)).orElseThrow();
        String exponent = ((java.security.interfaces.RSAPrivateKey) TestKeys.RSA_2048.getPrivate()).getPrivateExponent().toString();
        assertThat(config.toString()).doesNotContain(exponent).contains("privateKey=***");
        read(section("appId", "1", "privateKey", pem.substring(0, 200)));
        assertThat(String.join("\n", problems.lines())).doesNotContain(pem.substring(40, 100));
        assertThat(List.of(config.toString())).noneMatch(s -> s.contains("BEGIN"));
    }
}
