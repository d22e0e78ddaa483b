package dev.atlas.policies;

/**
 * Size limits of a GraphQL request. All counts are taken after fragments are expanded, so one fragment spread ten
 * times counts ten times.
 *
 * @param maxBodyBytes  UTF-8 bytes of the whole HTTP body (query, variables and all)
 * @param maxQueryBytes UTF-8 bytes of the {@code query} string
 * @param maxDepth      nesting of fields; the operation's own fields are at depth 1
 * @param maxAliases    fields carrying an alias
 * @param maxFields     field selections, {@code __typename} included
 * @param maxDirectives directives anywhere in the operation
 */
record GraphqlLimits(int maxBodyBytes, int maxQueryBytes, int maxDepth, int maxAliases, int maxFields, int maxDirectives) {

    static final GraphqlLimits DEFAULTS = new GraphqlLimits(65_536, 8_192, 10, 20, 500, 10);

    static GraphqlLimits read(ConfigNode node) throws PolicyException {
        node.requireKeys("maxBodyBytes", "maxQueryBytes", "maxDepth", "maxAliases", "maxFields", "maxDirectives");
        return new GraphqlLimits(
            intOr(node, "maxBodyBytes", DEFAULTS.maxBodyBytes, 1, 1_048_576),
            intOr(node, "maxQueryBytes", DEFAULTS.maxQueryBytes, 1, 262_144),
            intOr(node, "maxDepth", DEFAULTS.maxDepth, 1, 64),
            intOr(node, "maxAliases", DEFAULTS.maxAliases, 0, 10_000),
            intOr(node, "maxFields", DEFAULTS.maxFields, 1, 100_000),
            intOr(node, "maxDirectives", DEFAULTS.maxDirectives, 0, 10_000));
    }

    private static int intOr(ConfigNode node, String key, int fallback, int min, int max) throws PolicyException {
        var child = node.child(key);
        return child.isPresent() ? child.get().intValue(min, max) : fallback;
    }
}
