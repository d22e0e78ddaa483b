package dev.atlas.policies;

import graphql.language.Document;
import graphql.parser.InvalidSyntaxException;
import graphql.parser.Parser;
import graphql.parser.ParserEnvironment;
import graphql.parser.ParserOptions;
import graphql.parser.exceptions.ParseCancelledException;
import graphql.parser.exceptions.ParseCancelledTooDeepException;
import graphql.parser.exceptions.ParseCancelledTooManyCharsException;
import graphql.schema.GraphQLFieldDefinition;
import graphql.schema.GraphQLFieldsContainer;
import graphql.schema.GraphQLImplementingType;
import graphql.schema.GraphQLNamedOutputType;
import graphql.schema.GraphQLNamedType;
import graphql.schema.GraphQLSchema;
import graphql.schema.GraphQLType;
import graphql.schema.idl.SchemaParser;
import graphql.schema.idl.UnExecutableSchemaGenerator;
import graphql.schema.idl.errors.SchemaProblem;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The GraphQL half of a policy: body checks, limits, operation types and the {@code Type.field} allow-list, checked
 * against the schema subset so that the parent type of every selection is known.
 */
final class GraphqlPolicy {

    private static final String NAME_PATTERN = "[A-Za-z_][A-Za-z0-9_]*";
    private static final Pattern ALLOW_ENTRY = Pattern.compile("(" + NAME_PATTERN + ")\\.(" + NAME_PATTERN + ")"
        + "(?:\\(\\s*(" + NAME_PATTERN + "(?:\\s*,\\s*" + NAME_PATTERN + ")*)?\\s*\\))?");
    private static final Pattern NAME = Pattern.compile(NAME_PATTERN);
    /** Parser rules entered per level of field nesting, with room for arguments and fragments at each level. */
    private static final int RULES_PER_LEVEL = 8;
    private static final int MIN_RULE_DEPTH = 200;

    private final boolean enabled;
    private final GraphqlLimits limits;
    private final boolean introspection;
    private final boolean queries;
    private final Set<String> mutations;
    private final Set<String> directives;
    private final Map<String, Map<String, FieldRule>> allowed;
    private final GraphQLSchema schema;
    private final ParserOptions parserOptions;

    private GraphqlPolicy(boolean enabled, GraphqlLimits limits, boolean introspection, boolean queries, Set<String> mutations,
            Set<String> directives, Map<String, Map<String, FieldRule>> allowed, GraphQLSchema schema) {
        this.enabled = enabled;
        this.limits = limits;
        this.introspection = introspection;
        this.queries = queries;
        this.mutations = mutations;
        this.directives = directives;
        this.allowed = allowed;
        this.schema = schema;
        // The byte limit is checked before parsing; these bound the parser's own work on what remains, and each is
        // above the policy limit it stands behind (a field level costs the parser about 3 rules; characters and
        // tokens are at most the query's bytes), so a document the policy could accept is never cut short. Nodes
        // need no source locations (syntax errors carry their own), comments or ignored characters: skipping them
        // is what keeps a decision near the cost of a default parse.
        this.parserOptions = ParserOptions.newParserOptions()
            .captureIgnoredChars(false)
            .captureSourceLocation(false)
            .captureLineComments(false)
            .maxCharacters(limits.maxQueryBytes())
            .maxTokens(Math.max(1_000, limits.maxQueryBytes()))
            .maxWhitespaceTokens(Math.max(1_000, limits.maxQueryBytes()))
            .maxRuleDepth(Math.max(MIN_RULE_DEPTH, RULES_PER_LEVEL * limits.maxDepth() + 32))
            .redactTokenParserErrorMessages(true)
            .build();
    }

    static GraphqlPolicy disabled() {
        return new GraphqlPolicy(false, GraphqlLimits.DEFAULTS, false, false, Set.of(), Set.of(), Map.of(), null);
    }

    static GraphqlPolicy read(ConfigNode node, Optional<String> sdl, String source) throws PolicyException {
        node.requireKeys("enabled", "introspection", "limits", "operations", "directives", "allow");
        boolean enabled = node.child("enabled").isEmpty() || node.required("enabled").bool();
        if (!enabled) {
            return disabled();
        }
        boolean introspection = node.child("introspection").isPresent() && node.required("introspection").bool();
        GraphqlLimits limits = node.child("limits").isPresent() ? GraphqlLimits.read(node.required("limits")) : GraphqlLimits.DEFAULTS;
        boolean queries = true;
        Set<String> mutations = new LinkedHashSet<>();
        Optional<ConfigNode> operations = node.child("operations");
        if (operations.isPresent()) {
            operations.get().requireKeys("queries", "mutations");
            queries = operations.get().child("queries").isEmpty() || operations.get().required("queries").bool();
            if (operations.get().child("mutations").isPresent()) {
                for (ConfigNode item : operations.get().required("mutations").items()) {
                    mutations.add(checkName(item));
                }
            }
        }
        Set<String> directives = new LinkedHashSet<>(List.of("include", "skip"));
        if (node.child("directives").isPresent()) {
            directives.clear();
            for (ConfigNode item : node.required("directives").items()) {
                directives.add(checkName(item));
            }
        }
        if (sdl.isEmpty() || sdl.get().isBlank()) {
            // Without a schema the parent type of a selection is unknown, so no field rule could be applied safely.
            throw node.error("needs a GraphQL schema subset (SDL) to check field rules; set graphql.enabled: false to deny GraphQL");
        }
        GraphQLSchema schema = buildSchema(sdl.get(), source);
        Map<String, Map<String, FieldRule>> allowed = new HashMap<>();
        if (node.child("allow").isPresent()) {
            for (ConfigNode item : node.required("allow").items()) {
                FieldRule rule = readRule(item, schema);
                allowed.computeIfAbsent(rule.coordinate().substring(0, rule.coordinate().indexOf('.')), k -> new HashMap<>())
                    .put(rule.coordinate().substring(rule.coordinate().indexOf('.') + 1), rule);
            }
        }
        inheritInterfaceRules(allowed, schema);
        for (String mutation : mutations) {
            if (schema.getMutationType() == null || schema.getMutationType().getFieldDefinition(mutation) == null) {
                throw new PolicyException(source + ": graphql.operations.mutations: " + mutation
                    + " is not a mutation of the schema subset");
            }
        }
        return new GraphqlPolicy(true, limits, introspection, queries, Set.copyOf(mutations), Set.copyOf(directives),
            freeze(allowed), schema);
    }

    /**
     * An allowed interface field is allowed on every type implementing the interface: {@code ... on Blob { oid }}
     * returns exactly what {@code oid} selected through {@code GitObject} returns, so this widens nothing. A rule
     * written for the implementing type itself takes precedence.
     */
    private static void inheritInterfaceRules(Map<String, Map<String, FieldRule>> allowed, GraphQLSchema schema) {
        Map<String, Map<String, FieldRule>> inherited = new HashMap<>();
        for (GraphQLNamedType type : schema.getAllTypesAsList()) {
            if (type instanceof GraphQLImplementingType implementing) {
                for (GraphQLNamedOutputType iface : implementing.getInterfaces()) {
                    Map<String, FieldRule> rules = allowed.get(iface.getName());
                    if (rules != null) {
                        rules.forEach((field, rule) -> inherited.computeIfAbsent(type.getName(), k -> new HashMap<>())
                            .putIfAbsent(field, interfaceArgumentsOnly(rule, (GraphQLFieldsContainer) iface, field)));
                    }
                }
            }
        }
        inherited.forEach((type, rules) -> rules.forEach((field, rule) ->
            allowed.computeIfAbsent(type, k -> new HashMap<>()).putIfAbsent(field, rule)));
    }

    /** An implementation may add arguments to an interface field; only the interface's own ones are inherited. */
    private static FieldRule interfaceArgumentsOnly(FieldRule rule, GraphQLFieldsContainer iface, String field) {
        if (rule.arguments() != null) {
            return rule;
        }
        Set<String> names = new LinkedHashSet<>();
        iface.getFieldDefinition(field).getArguments().forEach(argument -> names.add(argument.getName()));
        return new FieldRule(rule.coordinate(), Set.copyOf(names));
    }

    private static Map<String, Map<String, FieldRule>> freeze(Map<String, Map<String, FieldRule>> allowed) {
        Map<String, Map<String, FieldRule>> copy = new HashMap<>();
        allowed.forEach((type, fields) -> copy.put(type, Map.copyOf(fields)));
        return Collections.unmodifiableMap(copy);
    }

    private static String checkName(ConfigNode item) throws PolicyException {
        String name = item.text();
        if (!NAME.matcher(name).matches()) {
            throw item.error("must be a GraphQL name");
        }
        return name;
    }

    private static GraphQLSchema buildSchema(String sdl, String source) throws PolicyException {
        try {
            return UnExecutableSchemaGenerator.makeUnExecutableSchema(new SchemaParser().parse(sdl));
        } catch (SchemaProblem | InvalidSyntaxException e) {
            throw new PolicyException(source + ": GraphQL schema subset is invalid: " + Texts.clip(e.getMessage(), 300), e);
        }
    }

    private static FieldRule readRule(ConfigNode item, GraphQLSchema schema) throws PolicyException {
        String entry = item.text().trim();
        Matcher m = ALLOW_ENTRY.matcher(entry);
        if (!m.matches()) {
            throw item.error("must look like Type.field or Type.field(arg1, arg2), got '" + Texts.clip(entry, 80) + "'");
        }
        String typeName = m.group(1);
        String fieldName = m.group(2);
        GraphQLType type = schema.getType(typeName);
        if (!(type instanceof GraphQLFieldsContainer container) || typeName.startsWith("__")) {
            throw item.error(typeName + " is not an object or interface type of the schema subset");
        }
        if (type == schema.getMutationType()) {
            throw item.error("mutations are allowed by name in graphql.operations.mutations, not in graphql.allow");
        }
        GraphQLFieldDefinition field = container.getFieldDefinition(fieldName);
        if (field == null) {
            throw item.error(typeName + "." + fieldName + " is not in the schema subset");
        }
        Set<String> args = null;
        if (m.group(3) != null || entry.endsWith(")")) {
            args = new LinkedHashSet<>();
            if (m.group(3) != null) {
                for (String arg : m.group(3).split(",")) {
                    String name = arg.trim();
                    if (field.getArgument(name) == null) {
                        throw item.error(typeName + "." + fieldName + " has no argument " + name + " in the schema subset");
                    }
                    args.add(name);
                }
            }
            args = Set.copyOf(args);
        }
        return new FieldRule(typeName + "." + fieldName, args);
    }

    GraphqlLimits limits() {
        return limits;
    }

    boolean introspection() {
        return introspection;
    }

    boolean queries() {
        return queries;
    }

    Set<String> mutations() {
        return mutations;
    }

    Set<String> directives() {
        return directives;
    }

    GraphQLSchema schema() {
        return schema;
    }

    FieldRule rule(String typeName, String field) {
        Map<String, FieldRule> fields = allowed.get(typeName);
        return fields == null ? null : fields.get(field);
    }

    /**
     * Decides on the raw HTTP body of a {@code POST /vcs/graphql}. An allowed decision carries the body to forward:
     * the checked document printed again by Atlas ({@link CanonicalGraphql}) with the checked variables and
     * operationName.
     */
    Decision check(String body) {
        if (body == null) {
            return Decision.invalid("request body is missing");
        }
        if (!enabled) {
            return Decision.deny("graphql-disabled", "GraphQL is not allowed by this policy");
        }
        try {
            GraphqlRequestBody request = GraphqlRequestBody.read(body, limits);
            Document document = parse(request.query());
            new GraphqlDocumentCheck(this, document).check(request.operationName());
            String printed = CanonicalGraphql.print(document);
            return Decision.allowForwarding("graphql", request.canonicalJson(printed));
        } catch (Denial denial) {
            return denial.decision();
        }
    }

    private Document parse(String query) {
        try {
            return Parser.parse(ParserEnvironment.newParserEnvironment().document(query).parserOptions(parserOptions).build());
        } catch (ParseCancelledTooDeepException e) {
            // nesting (of fields, fragments or values) beyond what the parser takes: a limit, not a syntax error
            throw Denial.deny("maxDepth", "the document nests deeper than " + limits.maxDepth()
                + " levels allow (the parser stopped)");
        } catch (ParseCancelledTooManyCharsException | ParseCancelledException e) {
            throw Denial.deny("maxQueryBytes", "the document has more characters or tokens than "
                + limits.maxQueryBytes() + " query bytes allow (the parser stopped)");
        } catch (InvalidSyntaxException e) {
            throw Denial.invalid("query is not a valid GraphQL document" + location(e));
        }
    }

    private static String location(InvalidSyntaxException e) {
        return e.getLocation() == null ? "" : " (line " + e.getLocation().getLine() + ", column " + e.getLocation().getColumn() + ")";
    }
}
