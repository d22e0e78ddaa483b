package dev.atlas.core.idp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atlas.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Expiry and single use of access codes and refresh-token families, on a clock moved by hand. */
class CodeAndRefreshStoresTest {
    static final Identity ALICE = new Identity("acme", "gh", "github", "42", "alice", Optional.empty(),
        Optional.empty(), false);

    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    AuthorizationCodes codes = new AuthorizationCodes(clock);
    RefreshTokens refresh = new RefreshTokens(clock, Duration.ofHours(8));

    private String code() {
        return codes.issue(new AuthorizationCodes.Grant("asgard", "https://a.example/cb", Optional.empty(), "openid",
            Optional.empty(), ALICE, clock.instant()));
    }

    @Test
    void aCodeIsGoodForSixtySecondsOnly() {
        String code = code();
        clock.advance(Duration.ofSeconds(AuthorizationCodes.TTL_SECONDS));
        assertThat(codes.redeem(code)).isInstanceOf(AuthorizationCodes.Unknown.class);
        String fresh = code();
        clock.advance(Duration.ofSeconds(AuthorizationCodes.TTL_SECONDS - 1));
        assertThat(codes.redeem(fresh)).isInstanceOf(AuthorizationCodes.Fresh.class);
    }

    @Test
    void aSecondRedemptionIsAReplayNamingTheFamilyOfTheFirst() {
        String code = code();
        var first = (AuthorizationCodes.Fresh) codes.redeem(code);
        assertThat(codes.redeem(code)).isEqualTo(new AuthorizationCodes.Replayed(first.family()));
    }

    @Test
    void expiredCodesAreSweptAway() {
        code();
        clock.advance(Duration.ofMinutes(2));
        code();
        assertThat(codes.size()).isEqualTo(1);
    }

    @Test
    void aFamilyRevokedBeforeItStartedCannotStart() {
        refresh.revoke("family-1");
        assertThatThrownBy(() -> refresh.start("family-1", "asgard", ALICE, "openid", clock.instant()))
            .isInstanceOf(OAuthError.class).hasMessageContaining("already used");
    }

    @Test
    void aFamilyEndsAtTheSessionLifetimeHoweverOftenItWasRefreshed() throws Exception {
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

    @Test
    void reusingARotatedTokenRevokesTheFamily() throws Exception {
        String first = refresh.start("f", "asgard", ALICE, "openid", clock.instant());
        String second = refresh.rotate(first, "asgard", Optional.empty()).token();
        assertThatThrownBy(() -> refresh.rotate(first, "asgard", Optional.empty())).isInstanceOf(OAuthError.class);
        assertThat(refresh.isRevoked("f")).isTrue();
        assertThat(refresh.liveFamilies()).isEmpty();
        assertThatThrownBy(() -> refresh.rotate(second, "asgard", Optional.empty())).isInstanceOf(OAuthError.class);
    }
}
