package dev.atlas.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atlas.identity.store.FileLoginStore;
import dev.atlas.identity.store.LoginStore;
import dev.atlas.identity.store.MemoryLoginStore;
import dev.atlas.testkit.MutableClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Expiry and single use of access codes and refresh-token families, on a clock moved by hand, over each local store. */
class CodeAndRefreshStoresTest {
    static final Identity ALICE = new Identity("acme", "gh", "github", "42", "alice", Optional.empty(),
        Optional.empty(), false);

    @TempDir
    Path dir;
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    LoginStore store;
    AuthorizationCodes codes;
    RefreshTokens refresh;

    static Stream<Arguments> stores() {
        Function<Path, LoginStore> memory = d -> new MemoryLoginStore();
        return Stream.of(Arguments.of("memory", memory), Arguments.of("file", fileStore()));
    }

    private static Function<Path, LoginStore> fileStore() {
        return d -> {
            try {
                return FileLoginStore.open(d.resolve("auth"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }

    private void open(Function<Path, LoginStore> opener) {
        store = opener.apply(dir);
        codes = new AuthorizationCodes(store, clock);
        refresh = new RefreshTokens(store, clock, Duration.ofHours(8));
    }

    private String code() {
        return codes.issue(new AuthorizationCodes.Grant("asgard", "https://a.example/cb", Optional.of("challenge"),
            "openid", Optional.of("n-1"), ALICE, clock.instant()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void aCodeIsGoodForSixtySecondsOnly(String name, Function<Path, LoginStore> opener) {
        open(opener);
        String code = code();
        clock.advance(Duration.ofSeconds(AuthorizationCodes.TTL_SECONDS));
        assertThat(codes.redeem(code)).isInstanceOf(AuthorizationCodes.Unknown.class);
        String fresh = code();
        clock.advance(Duration.ofSeconds(AuthorizationCodes.TTL_SECONDS - 1));
        assertThat(codes.redeem(fresh)).isInstanceOf(AuthorizationCodes.Fresh.class);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void aRedeemedCodeGivesBackTheWholeGrant(String name, Function<Path, LoginStore> opener) {
        open(opener);
        var fresh = (AuthorizationCodes.Fresh) codes.redeem(code());
        assertThat(fresh.grant()).isEqualTo(new AuthorizationCodes.Grant("asgard", "https://a.example/cb",
            Optional.of("challenge"), "openid", Optional.of("n-1"), ALICE, clock.instant()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void aSecondRedemptionIsAReplayNamingTheFamilyOfTheFirst(String name, Function<Path, LoginStore> opener) {
        open(opener);
        String code = code();
        var first = (AuthorizationCodes.Fresh) codes.redeem(code);
        assertThat(codes.redeem(code)).isEqualTo(
            new AuthorizationCodes.Replayed(RefreshTokens.familyKey(first.family())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void expiredCodesAreSweptAway(String name, Function<Path, LoginStore> opener) {
        open(opener);
        String old = code();
        clock.advance(Duration.ofMinutes(2));
        String young = code();
        assertThat(store.sweep(clock.instant())).isEqualTo(1);
        assertThat(store.get(LoginStore.Kind.CODE, LoginRecords.key(old))).isEmpty();
        assertThat(store.get(LoginStore.Kind.CODE, LoginRecords.key(young))).isPresent();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void aFamilyRevokedBeforeItStartedCannotStart(String name, Function<Path, LoginStore> opener) {
        open(opener);
        refresh.revoke(RefreshTokens.familyKey("family-1"));
        assertThatThrownBy(() -> refresh.start("family-1", "asgard", ALICE, "openid", clock.instant()))
            .isInstanceOf(OAuthError.class).hasMessageContaining("already used");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void aFamilyEndsAtTheSessionLifetimeHoweverOftenItWasRefreshed(String name, Function<Path, LoginStore> opener)
        throws Exception {
        open(opener);
        String token = refresh.start("f", "asgard", ALICE, "openid", clock.instant());
        for (int i = 0; i < 7; i++) {
            clock.advance(Duration.ofHours(1));
            token = refresh.rotate(token, "asgard", Optional.empty()).token();
        }
        clock.advance(Duration.ofHours(1));
        String last = token;
        assertThatThrownBy(() -> refresh.rotate(last, "asgard", Optional.empty())).isInstanceOf(OAuthError.class)
            .hasMessageContaining("expired");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void reusingARotatedTokenRevokesTheFamily(String name, Function<Path, LoginStore> opener) throws Exception {
        open(opener);
        String first = refresh.start("f", "asgard", ALICE, "openid", clock.instant());
        String second = refresh.rotate(first, "asgard", Optional.empty()).token();
        assertThatThrownBy(() -> refresh.rotate(first, "asgard", Optional.empty())).isInstanceOf(OAuthError.class)
            .hasMessageContaining("revoked");
        assertThat(refresh.isRevoked("f")).isTrue();
        assertThatThrownBy(() -> refresh.rotate(second, "asgard", Optional.empty())).isInstanceOf(OAuthError.class);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void aMadeUpTokenNamingARealFamilyIsRefusedWithoutEndingTheLogin(String name, Function<Path, LoginStore> opener)
        throws Exception {
        open(opener);
        String token = refresh.start("f", "asgard", ALICE, "openid", clock.instant());
        assertThatThrownBy(() -> refresh.rotate("f." + Opaque.random(), "asgard", Optional.empty()))
            .isInstanceOf(OAuthError.class).hasMessageContaining("unknown");
        assertThat(refresh.isRevoked("f")).isFalse();
        assertThat(refresh.rotate(token, "asgard", Optional.empty()).token()).startsWith("f.");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void anotherClientPresentingTheTokenRevokesTheFamily(String name, Function<Path, LoginStore> opener)
        throws Exception {
        open(opener);
        String token = refresh.start("f", "asgard", ALICE, "openid", clock.instant());
        assertThatThrownBy(() -> refresh.rotate(token, "other", Optional.empty())).isInstanceOf(OAuthError.class);
        assertThat(refresh.isRevoked("f")).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void aWiderScopeIsRefusedAndLeavesTheTokenUsable(String name, Function<Path, LoginStore> opener)
        throws Exception {
        open(opener);
        String token = refresh.start("f", "asgard", ALICE, "openid", clock.instant());
        assertThatThrownBy(() -> refresh.rotate(token, "asgard", Optional.of("openid email")))
            .isInstanceOf(OAuthError.class).hasMessageContaining("scope");
        assertThat(refresh.rotate(token, "asgard", Optional.empty()).family().identity()).isEqualTo(ALICE);
    }

    /** Two IdPs over one folder (two processes on one volume): of two simultaneous redemptions exactly one is fresh. */
    @RepeatedTest(5)
    void twoFileStoresOverOneFolderRedeemACodeOnce() throws Exception {
        open(fileStore());
        String code = code();
        AuthorizationCodes other = new AuthorizationCodes(FileLoginStore.open(dir.resolve("auth")), clock);
        CountDownLatch gate = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            List<Future<AuthorizationCodes.Redemption>> results = new ArrayList<>();
            for (AuthorizationCodes idp : List.of(codes, other)) {
                Callable<AuthorizationCodes.Redemption> redeem = () -> {
                    gate.await();
                    return idp.redeem(code);
                };
                results.add(threads.submit(redeem));
            }
            gate.countDown();
            List<AuthorizationCodes.Redemption> redemptions = new ArrayList<>();
            for (Future<AuthorizationCodes.Redemption> result : results) {
                redemptions.add(result.get(30, TimeUnit.SECONDS));
            }
            assertThat(redemptions).filteredOn(AuthorizationCodes.Fresh.class::isInstance).hasSize(1);
            assertThat(redemptions).filteredOn(AuthorizationCodes.Replayed.class::isInstance).hasSize(1);
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void storesNeitherCodesNorRefreshTokensInClearInTheFolder() throws Exception {
        open(fileStore());
        String code = code();
        var fresh = (AuthorizationCodes.Fresh) codes.redeem(code);
        String token = refresh.start(fresh.family(), "asgard", ALICE, "openid", clock.instant());
        String next = refresh.rotate(token, "asgard", Optional.empty()).token();
        StringBuilder stored = new StringBuilder();
        try (var files = java.nio.file.Files.walk(dir.resolve("auth"))) {
            for (Path file : (Iterable<Path>) files::iterator) {
                stored.append(file).append('\n');
                if (java.nio.file.Files.isRegularFile(file)) {
                    stored.append(java.nio.file.Files.readString(file));
                }
            }
        }
        assertThat(stored).contains("alice");
        assertThat(List.of(code, token, next, fresh.family())).noneMatch(v -> stored.toString().contains(v));
    }
}
