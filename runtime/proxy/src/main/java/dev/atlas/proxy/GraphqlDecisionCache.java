package dev.atlas.proxy;

import dev.atlas.policies.Decision;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * GraphQL decisions of one app's policy, by the exact request body text: a GraphQL decision depends on nothing else
 * (the policy is fixed for the life of the process; headers and the caller play no part in it), so the same
 * document with the same variables is parsed, checked and re-printed once. A body differing in any character is
 * another key and is decided afresh. Bounded: bodies over {@value #MAX_BODY_CHARS} characters are not kept, and a
 * full cache starts over (the analysis cloud repeats a few queries; a flood of distinct ones only costs the misses).
 */
final class GraphqlDecisionCache {
    /** Bodies longer than this are decided every time (they would hold the most memory and repeat the least). */
    static final int MAX_BODY_CHARS = 8 << 10;
    static final int MAX_ENTRIES = 1024;

    private final Map<String, Decision> decisions = new ConcurrentHashMap<>();
    private final int maxEntries;

    GraphqlDecisionCache(int maxEntries) {
        this.maxEntries = maxEntries;
    }

    /** The decision on {@code body}, from the cache or made by {@code decide} (and kept when small enough). */
    Decision decide(String body, Function<String, Decision> decide) {
        if (body.length() > MAX_BODY_CHARS) {
            return decide.apply(body);
        }
        Decision known = decisions.get(body);
        if (known != null) {
            return known;
        }
        Decision decision = decide.apply(body);
        if (decisions.size() >= maxEntries) {
            decisions.clear();
        }
        decisions.put(body, decision);
        return decision;
    }

    int size() {
        return decisions.size();
    }
}
