package dev.atlas.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atlas.policies.Decision;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** A GraphQL decision is made once per exact body text, and the cache stays bounded. */
class GraphqlDecisionCacheTest {
    private final AtomicInteger decided = new AtomicInteger();
    private final Function<String, Decision> policy = body -> {
        decided.incrementAndGet();
        return new Decision(!body.contains("secret"), 200, null, "checked", "graphql", List.of());
    };

    @Test
    void decidesTheSameBodyOnceAndABodyDifferingInOneCharacterAfresh() {
        GraphqlDecisionCache cache = new GraphqlDecisionCache(16);
        Decision first = cache.decide("{\"query\":\"{viewer{login}}\"}", policy);

        assertThat(cache.decide("{\"query\":\"{viewer{login}}\"}", policy)).isSameAs(first);
        assertThat(decided).hasValue(1);
        assertThat(cache.decide("{\"query\":\"{viewer{login secret}}\"}", policy).allowed()).isFalse();
        assertThat(cache.decide("{\"query\":\"{viewer{login}} \"}", policy).allowed()).isTrue();
        assertThat(decided).hasValue(3);
    }

    @Test
    void neverKeepsALongBody() {
        GraphqlDecisionCache cache = new GraphqlDecisionCache(16);
        String big = "{\"query\":\"{viewer{login}}\",\"variables\":{\"pad\":\"" + "x".repeat(
            GraphqlDecisionCache.MAX_BODY_CHARS) + "\"}}";
        cache.decide(big, policy);
        cache.decide(big, policy);

        assertThat(decided).hasValue(2);
        assertThat(cache.size()).isZero();
    }

    @Test
    void startsOverWhenFull() {
        GraphqlDecisionCache cache = new GraphqlDecisionCache(4);
        for (int i = 0; i < 10; i++) {
            cache.decide("{\"query\":\"{viewer{login}}\",\"variables\":{\"n\":" + i + "}}", policy);
            assertThat(cache.size()).isLessThanOrEqualTo(4);
        }
        assertThat(decided).hasValue(10);
    }
}
