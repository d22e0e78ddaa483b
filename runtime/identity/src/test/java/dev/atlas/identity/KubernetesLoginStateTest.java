package dev.atlas.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atlas.core.http.AtlasException;
import dev.atlas.core.http.ErrorKind;
import dev.atlas.identity.store.KubernetesLoginStore;
import dev.atlas.identity.store.LoginStore;
import dev.atlas.testkit.MutableClock;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * {@code auth.storage: kubernetes}: two identity-provider replicas, each with its own client, over one API server (the
 * fabric8 mock in CRUD mode, which checks {@code resourceVersion} on updates as the real one does).
 */
@EnableKubernetesMockClient(crud = true, https = false)
class KubernetesLoginStateTest {
    private static final String NS = "atlas";
    static KubernetesMockServer server;
    static KubernetesClient client;

    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    Replica first;
    Replica second;

    /** One Atlas replica's view: its own Kubernetes client and store. */
    final class Replica {
        final KubernetesLoginStore store = new KubernetesLoginStore(server.createClient(), NS, true);
        final AuthorizationCodes codes = new AuthorizationCodes(store, clock);
        final RefreshTokens refresh = new RefreshTokens(store, clock, Duration.ofHours(8));

        /** What the token endpoint does with a code for asgard: the family's first refresh token. */
        String redeem(String code) throws OAuthError {
            AuthorizationCodes.Redemption redemption = codes.redeem(code);
            if (redemption instanceof AuthorizationCodes.Replayed replayed) {
                refresh.revoke(replayed.familyKey());
                throw OAuthError.invalidGrant("authorization code already used");
            }
            if (!(redemption instanceof AuthorizationCodes.Fresh fresh)) {
                throw OAuthError.invalidGrant("authorization code unknown or expired");
            }
            return refresh.start(fresh.family(), fresh.grant().clientId(), fresh.grant().identity(),
                fresh.grant().scope(), fresh.grant().authTime());
        }
    }

    @BeforeEach
    void replicas() {
        first = new Replica();
        second = new Replica();
    }

    @AfterEach
    void close() {
        first.store.close();
        second.store.close();
        client.configMaps().inNamespace(NS).delete();
    }

    private String issueAt(Replica replica) {
        return replica.codes.issue(new AuthorizationCodes.Grant("asgard", "https://asgard.example/cb",
            Optional.empty(), "openid email", Optional.empty(), CodeAndRefreshStoresTest.ALICE, clock.instant()));
    }

    private List<ConfigMap> objects() {
        return client.configMaps().inNamespace(NS).list().getItems();
    }

    @Test
    void redeemsACodeIssuedByOneReplicaAtTheOther() throws Exception {
        String code = issueAt(first);
        assertThat(second.redeem(code)).isNotBlank();
        assertThatThrownBy(() -> first.redeem(code)).isInstanceOf(OAuthError.class).hasMessageContaining("used");
    }

    @Test
    void labelsEachRecordAndAnnotatesItsExpiry() throws Exception {
        String code = issueAt(first);
        second.redeem(code);
        assertThat(objects()).hasSize(2).allSatisfy(map -> {
            assertThat(map.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "atlas")
                .containsKey("atlas.dev/kind");
            assertThat(map.getMetadata().getAnnotations()).containsKey("atlas.dev/expires-at");
            assertThat(map.getMetadata().getName()).matches("atlas-(auth-code|refresh-family)-[0-9a-f]{64}");
        });
        assertThat(objects()).extracting(m -> m.getMetadata().getLabels().get("atlas.dev/kind"))
            .containsExactlyInAnyOrder("auth-code", "refresh-family");
    }

    /**
     * Both replicas present the same code at the same moment: exactly one redemption is fresh; the other is a replay
     * naming the family of the fresh one (which the token endpoint then revokes, RFC 6749 §4.1.2).
     */
    @RepeatedTest(5)
    void letsExactlyOneOfTwoConcurrentRedemptionsSucceed() throws Exception {
        String code = issueAt(first);
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            List<Future<AuthorizationCodes.Redemption>> results = new ArrayList<>();
            for (Replica replica : List.of(first, second)) {
                Callable<AuthorizationCodes.Redemption> redeem = () -> {
                    start.await();
                    return replica.codes.redeem(code);
                };
                results.add(threads.submit(redeem));
            }
            start.countDown();
            List<AuthorizationCodes.Redemption> redemptions = new ArrayList<>();
            for (Future<AuthorizationCodes.Redemption> result : results) {
                redemptions.add(result.get(30, TimeUnit.SECONDS));
            }
            assertThat(redemptions).filteredOn(AuthorizationCodes.Fresh.class::isInstance).hasSize(1);
            var fresh = (AuthorizationCodes.Fresh) redemptions.stream()
                .filter(AuthorizationCodes.Fresh.class::isInstance).findFirst().orElseThrow();
            assertThat(redemptions).contains(new AuthorizationCodes.Replayed(RefreshTokens.familyKey(fresh.family())));
        } finally {
            threads.shutdownNow();
        }
    }

    /** The same race through the token endpoint's steps: never two refresh tokens, never one that keeps working. */
    @RepeatedTest(5)
    void neverHandsOutAWorkingRefreshTokenForARacedCode() throws Exception {
        String code = issueAt(first);
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            List<Future<Optional<String>>> results = new ArrayList<>();
            for (Replica replica : List.of(first, second)) {
                Callable<Optional<String>> redeem = () -> {
                    start.await();
                    try {
                        return Optional.of(replica.redeem(code));
                    } catch (OAuthError e) {
                        return Optional.empty();
                    }
                };
                results.add(threads.submit(redeem));
            }
            start.countDown();
            List<String> tokens = new ArrayList<>();
            for (Future<Optional<String>> result : results) {
                result.get(30, TimeUnit.SECONDS).ifPresent(tokens::add);
            }
            assertThat(tokens).hasSizeLessThanOrEqualTo(1);
            for (String token : tokens) {
                assertThatThrownBy(() -> second.refresh.rotate(token, "asgard", Optional.empty()))
                    .isInstanceOf(OAuthError.class).hasMessageContaining("revoked");
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void rotatesARefreshTokenAtEitherReplica() throws Exception {
        String token = first.redeem(issueAt(first));
        String next = second.refresh.rotate(token, "asgard", Optional.empty()).token();
        RefreshTokens.Rotated again = first.refresh.rotate(next, "asgard", Optional.of("openid"));
        assertThat(again.family().identity()).isEqualTo(CodeAndRefreshStoresTest.ALICE);
        assertThat(again.token()).isNotIn(token, next);
    }

    @Test
    void revokesTheFamilyEverywhereWhenARotatedTokenIsReusedAtTheOtherReplica() throws Exception {
        String token = first.redeem(issueAt(first));
        String next = first.refresh.rotate(token, "asgard", Optional.empty()).token();
        assertThatThrownBy(() -> second.refresh.rotate(token, "asgard", Optional.empty()))
            .isInstanceOf(OAuthError.class).hasMessageContaining("revoked");
        assertThatThrownBy(() -> first.refresh.rotate(next, "asgard", Optional.empty()))
            .isInstanceOf(OAuthError.class).hasMessageContaining("revoked");
    }

    @Test
    void aCodeReplayedAtTheOtherReplicaRevokesTheRefreshTokensTheFirstRedemptionGot() throws Exception {
        String code = issueAt(first);
        String token = first.redeem(code);
        assertThatThrownBy(() -> second.redeem(code)).isInstanceOf(OAuthError.class);
        assertThatThrownBy(() -> first.refresh.rotate(token, "asgard", Optional.empty()))
            .isInstanceOf(OAuthError.class).hasMessageContaining("revoked");
    }

    @Test
    void sweepsExpiredRecordsAwayAndKeepsLiveOnes() throws Exception {
        issueAt(first);
        first.redeem(issueAt(second));
        clock.advance(Duration.ofSeconds(AuthorizationCodes.TTL_SECONDS));
        String live = issueAt(first);
        assertThat(second.store.sweep(clock.instant())).isEqualTo(2);
        assertThat(objects()).extracting(m -> m.getMetadata().getName()).containsExactlyInAnyOrder(
            "atlas-auth-code-" + LoginRecords.key(live),
            objects().stream().map(m -> m.getMetadata().getName()).filter(n -> n.startsWith("atlas-refresh-family-"))
                .findFirst().orElseThrow());
        clock.advance(Duration.ofHours(8));
        assertThat(first.store.sweep(clock.instant())).isEqualTo(2);
        assertThat(objects()).isEmpty();
    }

    @Test
    void storesNoCodeAndNoRefreshTokenInClear() throws Exception {
        String code = issueAt(first);
        String token = second.redeem(code);
        String next = first.refresh.rotate(token, "asgard", Optional.empty()).token();
        String familyId = token.substring(0, token.indexOf('.'));
        String stored = Serialization.asJson(objects());
        assertThat(stored).contains("alice");
        for (String secret : List.of(code, token, next, familyId, token.substring(token.indexOf('.') + 1),
            Opaque.hash(code), Opaque.hash(token))) {
            assertThat(stored).doesNotContain(secret);
        }
    }

    /** Every verb the store's calls need is in the shipped Role, and the Role grants nothing the store does not use. */
    @Test
    void usesExactlyTheVerbsOfTheLoginStateRole() throws Exception {
        while (server.takeRequest(10, TimeUnit.MILLISECONDS) != null) {
            // requests of earlier tests
        }
        String token = second.redeem(issueAt(first));
        first.refresh.rotate(token, "asgard", Optional.empty());
        assertThatThrownBy(() -> second.refresh.rotate(token, "asgard", Optional.empty()));
        clock.advance(Duration.ofHours(9));
        first.store.sweep(clock.instant());
        Set<String> used = new TreeSet<>();
        for (RecordedRequest request = server.takeRequest(10, TimeUnit.MILLISECONDS); request != null;
            request = server.takeRequest(10, TimeUnit.MILLISECONDS)) {
            String path = request.getPath().split("\\?")[0];
            assertThat(path).startsWith("/api/v1/namespaces/" + NS + "/configmaps");
            boolean collection = path.endsWith("/configmaps");
            used.add(switch (request.getMethod()) {
                case "POST" -> "create";
                case "GET" -> collection ? (request.getPath().contains("watch=true") ? "watch" : "list") : "get";
                case "PUT" -> "update";
                case "PATCH" -> "patch";
                case "DELETE" -> collection ? "deletecollection" : "delete";
                default -> request.getMethod();
            });
        }
        Role role;
        try (InputStream in = getClass().getResourceAsStream("/atlas/rbac/login-state-role.yaml")) {
            role = Serialization.unmarshal(in, Role.class);
        }
        assertThat(role.getRules()).singleElement().satisfies(rule -> {
            assertThat(rule.getApiGroups()).containsExactly("");
            assertThat(rule.getResources()).containsExactly("configmaps");
            assertThat(new TreeSet<>(rule.getVerbs())).isEqualTo(used);
        });
    }

    @Test
    void reportsAnUnreachableApiServerAsServiceUnavailableWithoutTheKey() throws Exception {
        int closed;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        String key = LoginRecords.key("some-code");
        try (KubernetesLoginStore down = new KubernetesLoginStore(new io.fabric8.kubernetes.client.KubernetesClientBuilder()
            .withConfig(new io.fabric8.kubernetes.client.ConfigBuilder().withMasterUrl("http://127.0.0.1:" + closed)
                .withRequestRetryBackoffLimit(0).build()).build(), NS, true)) {
            assertThatThrownBy(() -> down.get(LoginStore.Kind.CODE, key))
                .isInstanceOfSatisfying(AtlasException.class,
                    e -> assertThat(e.kind()).isEqualTo(ErrorKind.SERVICE_UNAVAILABLE))
                .hasMessageNotContaining(key);
        }
    }

    @Test
    void refusesAnUpdateCarryingAStaleResourceVersion() {
        String key = LoginRecords.key("x");
        first.store.create(LoginStore.Kind.CODE, key, java.util.Map.of("a", "1"), clock.instant().plusSeconds(60));
        String version = second.store.get(LoginStore.Kind.CODE, key).orElseThrow().version();
        assertThat(first.store.replace(LoginStore.Kind.CODE, key, version, java.util.Map.of("a", "2"),
            clock.instant().plusSeconds(60))).isTrue();
        assertThat(second.store.replace(LoginStore.Kind.CODE, key, version, java.util.Map.of("a", "3"),
            clock.instant().plusSeconds(60))).isFalse();
        assertThat(first.store.get(LoginStore.Kind.CODE, key).orElseThrow().data()).containsEntry("a", "2");
    }
}
