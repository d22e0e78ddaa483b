package dev.atlas.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two whole Atlas replicas behind one public URL with {@code auth.storage: kubernetes} on one API server (the fabric8
 * CRUD mock): no sticky sessions needed, codes and refresh tokens work at either replica, and once only.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@EnableKubernetesMockClient(crud = true, https = false)
class KubernetesReplicasIT {
    static KubernetesMockServer server;
    static KubernetesClient client;
    static final String[] ASGARD = {"asgard", IdpHarness.ASGARD_SECRET};

    IdpHarness first;
    IdpHarness second;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        Path keys = dir.resolve("shared-keys");
        String storage = "  storage: kubernetes\n  kubernetes: { namespace: atlas, masterUrl: \"" + server.url("/")
            + "\" }\n";
        first = IdpHarness.start(Files.createDirectories(dir.resolve("a")), new FakeVcsOAuthServer(), keys,
            Optional.empty(), storage);
        second = IdpHarness.start(Files.createDirectories(dir.resolve("b")), first.vcs, keys,
            Optional.of(first.url("")), storage);
    }

    @AfterAll
    void stop() {
        second.closeAtlas();
        first.close();
    }

    /** Authorize at the first replica, the VCS's redirect to the callback lands at the second: its code. */
    private String codeFromSecondReplica() {
        IdpHarness.Browser browser = new IdpHarness.Browser();
        String callback = first.toCallback(browser, IdpHarness.asgardRequest()).headers().firstValue("Location")
            .orElseThrow();
        HttpResponse<String> back = browser.get(callback.replace(first.url(""), second.url("")));
        assertThat(back.statusCode()).as(back.body()).isEqualTo(302);
        URI location = URI.create(back.headers().firstValue("Location").orElseThrow());
        return FakeVcsOAuthServer.parse(location.getRawQuery()).get("code");
    }

    private static HttpResponse<String> refresh(IdpHarness replica, String token) {
        return replica.token(Optional.of(ASGARD), Map.of("grant_type", "refresh_token", "refresh_token", token));
    }

    private static String refreshToken(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return IdpHarness.json(response).get("refresh_token").asText();
    }

    @Test
    void refusesACallbackReplayedAtTheOtherReplica() {
        IdpHarness.Browser browser = new IdpHarness.Browser();
        String callback = first.toCallback(browser, IdpHarness.asgardRequest()).headers().firstValue("Location")
            .orElseThrow();
        String cookies = String.join("; ", browser.cookies.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
            .toList());
        assertThat(browser.get(callback.replace(first.url(""), second.url(""))).statusCode()).isEqualTo(302);
        IdpHarness.Browser replayer = new IdpHarness.Browser();
        browser.cookies.clear();
        for (String pair : cookies.split("; ")) {
            replayer.cookies.put(pair.substring(0, pair.indexOf('=')), pair.substring(pair.indexOf('=') + 1));
        }
        HttpResponse<String> replay = replayer.get(callback);
        assertThat(replay.statusCode()).isEqualTo(400);
        assertThat(replay.body()).contains("used already");
    }

    @Test
    void redeemsACodeAtTheReplicaThatDidNotIssueItOnce() {
        String code = codeFromSecondReplica();
        assertThat(first.redeem(code).statusCode()).isEqualTo(200);
        TokenIT.assertOAuthError(second.redeem(code), 400, "invalid_grant");
    }

    @Test
    void rotatesRefreshTokensAtAlternatingReplicas() {
        String token = refreshToken(first.redeem(codeFromSecondReplica()));
        for (IdpHarness replica : List.of(second, first, second)) {
            token = refreshToken(refresh(replica, token));
        }
        assertThat(token).isNotBlank();
    }

    @Test
    void revokesTheLoginAtEveryReplicaWhenAnOldRefreshTokenIsReusedAtTheOther() {
        String old = refreshToken(first.redeem(codeFromSecondReplica()));
        String newest = refreshToken(refresh(first, old));
        TokenIT.assertOAuthError(refresh(second, old), 400, "invalid_grant");
        TokenIT.assertOAuthError(refresh(first, newest), 400, "invalid_grant");
    }

    @Test
    void neverAnswersTwoTokenRequestsForOneCodeSentToBothReplicasAtOnce() throws Exception {
        String code = codeFromSecondReplica();
        CountDownLatch gate = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            List<Future<HttpResponse<String>>> answers = new ArrayList<>();
            for (IdpHarness replica : List.of(first, second)) {
                Callable<HttpResponse<String>> redeem = () -> {
                    gate.await();
                    return replica.redeem(code);
                };
                answers.add(threads.submit(redeem));
            }
            gate.countDown();
            List<Integer> statuses = new ArrayList<>();
            for (Future<HttpResponse<String>> answer : answers) {
                statuses.add(answer.get(30, TimeUnit.SECONDS).statusCode());
            }
            assertThat(statuses).containsOnly(200, 400).contains(400).filteredOn(s -> s == 200).hasSizeLessThan(2);
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void keepsTheLoginStateInLabelledConfigMapsWithoutAnyCodeOrTokenInClear() {
        String code = codeFromSecondReplica();
        String token = refreshToken(first.redeem(code));
        String next = refreshToken(refresh(second, token));
        var maps = client.configMaps().inNamespace("atlas").withLabel("app.kubernetes.io/managed-by", "atlas")
            .list().getItems();
        assertThat(maps).isNotEmpty();
        String stored = Serialization.asJson(maps);
        assertThat(stored).contains("fakeoauth");
        assertThat(List.of(code, token, next)).noneMatch(stored::contains);
    }
}
