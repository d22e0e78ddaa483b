package dev.atlas.policies;

import graphql.language.Argument;
import graphql.language.Definition;
import graphql.language.Directive;
import graphql.language.Document;
import graphql.language.Field;
import graphql.language.FragmentDefinition;
import graphql.language.FragmentSpread;
import graphql.language.InlineFragment;
import graphql.language.OperationDefinition;
import graphql.language.Selection;
import graphql.language.SelectionSet;
import graphql.language.TypeName;
import graphql.language.VariableDefinition;
import graphql.schema.GraphQLCompositeType;
import graphql.schema.GraphQLFieldDefinition;
import graphql.schema.GraphQLFieldsContainer;
import graphql.schema.GraphQLInterfaceType;
import graphql.schema.GraphQLObjectType;
import graphql.schema.GraphQLSchema;
import graphql.schema.GraphQLType;
import graphql.schema.GraphQLTypeUtil;
import graphql.schema.GraphQLUnionType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Walks one parsed GraphQL document with the schema subset, expanding every fragment where it is used, and throws a
 * {@link Denial} at the first field, operation or limit the policy does not allow. One instance per request.
 *
 * <p>Every operation in the document is checked, not just the one {@code operationName} picks: what is forwarded
 * is the whole document, and a server that chose another operation than we think must still find nothing to run
 * that was not checked.
 */
final class GraphqlDocumentCheck {

    private static final String DEFAULT_DENY = "default-deny";

    private final GraphqlPolicy policy;
    private final GraphQLSchema schema;
    private final Document document;
    private final Map<String, FragmentDefinition> fragments = new HashMap<>();
    private final Set<String> expanding = new HashSet<>();
    private final Set<String> used = new HashSet<>();
    private int fields;
    private int aliases;
    private int directives;

    GraphqlDocumentCheck(GraphqlPolicy policy, Document document) {
        this.policy = policy;
        this.schema = policy.schema();
        this.document = document;
    }

    void check(String operationName) {
        List<OperationDefinition> operations = new ArrayList<>();
        Set<String> operationNames = new HashSet<>();
        for (Definition<?> definition : document.getDefinitions()) {
            if (definition instanceof OperationDefinition operation) {
                if (operation.getName() != null && !operationNames.add(operation.getName())) {
                    throw deny("operation", "operation name " + clip(operation.getName()) + " is defined twice");
                }
                operations.add(operation);
            } else if (definition instanceof FragmentDefinition fragment) {
                // Two definitions of one name: the server might expand the one we did not check.
                if (fragments.put(fragment.getName(), fragment) != null) {
                    throw deny("fragment", "fragment " + clip(fragment.getName()) + " is defined twice");
                }
            } else {
                throw deny("operation", "only operations and fragments are allowed in a request document");
            }
        }
        selectOperation(operations, operationName);
        for (OperationDefinition operation : operations) {
            checkOperation(operation);
        }
        for (String name : fragments.keySet()) {
            if (!used.contains(name)) {
                throw deny("fragment", "fragment " + clip(name) + " is never used");
            }
        }
    }

    private void selectOperation(List<OperationDefinition> operations, String operationName) {
        if (operations.isEmpty()) {
            throw deny("operation", "the document has no operation");
        }
        if (operations.size() > 1) {
            if (operations.stream().anyMatch(op -> op.getName() == null)) {
                throw deny("operation", "an anonymous operation must be the only operation in the document");
            }
            if (operationName == null) {
                throw deny("operation", "the document has several operations and no operationName");
            }
        }
        if (operationName != null && operations.stream().noneMatch(op -> operationName.equals(op.getName()))) {
            throw deny("operation", "operationName " + clip(operationName) + " names no operation of the document");
        }
    }

    private void checkOperation(OperationDefinition operation) {
        countDirectives(operation.getDirectives());
        for (VariableDefinition variable : operation.getVariableDefinitions()) {
            countDirectives(variable.getDirectives());
        }
        GraphQLObjectType root;
        switch (operation.getOperation()) {
            case QUERY:
                if (!policy.queries()) {
                    throw deny("operation", "queries are not allowed by this policy");
                }
                root = schema.getQueryType();
                break;
            case MUTATION:
                root = schema.getMutationType();
                if (root == null || policy.mutations().isEmpty()) {
                    throw deny("operation", "mutations are not allowed by this policy");
                }
                break;
            default:
                throw deny("operation", operation.getOperation().name().toLowerCase(Locale.ROOT)
                    + " operations are not allowed");
        }
        walk(operation.getSelectionSet(), root, 0);
    }

    /**
     * Checks a selection set whose fields are selected on {@code parent}. A {@code null} parent means the subtree of
     * an allowed introspection field: limits still apply, field rules do not.
     */
    private void walk(SelectionSet selectionSet, GraphQLCompositeType parent, int depth) {
        for (Selection<?> selection : selectionSet.getSelections()) {
            if (selection instanceof Field field) {
                checkField(field, parent, depth + 1);
            } else if (selection instanceof InlineFragment inline) {
                countDirectives(inline.getDirectives());
                walk(inline.getSelectionSet(), narrow(parent, inline.getTypeCondition()), depth);
            } else if (selection instanceof FragmentSpread spread) {
                countDirectives(spread.getDirectives());
                expand(spread, parent, depth);
            } else {
                throw deny("operation", "unsupported selection");
            }
        }
    }

    private void expand(FragmentSpread spread, GraphQLCompositeType parent, int depth) {
        String name = spread.getName();
        FragmentDefinition fragment = fragments.get(name);
        if (fragment == null) {
            throw deny("fragment", "fragment " + clip(name) + " is not defined");
        }
        if (!expanding.add(name)) {
            throw deny("fragment", "fragment " + clip(name) + " spreads itself, directly or through other fragments (a cycle)");
        }
        used.add(name);
        countDirectives(fragment.getDirectives());
        walk(fragment.getSelectionSet(), narrow(parent, fragment.getTypeCondition()), depth);
        expanding.remove(name);
    }

    /** The type fields inside a fragment are checked on: its type condition, which must be able to apply here. */
    private GraphQLCompositeType narrow(GraphQLCompositeType parent, TypeName condition) {
        if (condition == null) {
            return parent;
        }
        if (parent == null) {
            return null;
        }
        GraphQLType type = schema.getType(condition.getName());
        if (!(type instanceof GraphQLCompositeType composite)) {
            throw deny(DEFAULT_DENY, "type " + clip(condition.getName()) + " is not in the schema subset");
        }
        if (!overlaps(parent, composite)) {
            throw deny(DEFAULT_DENY, "a fragment on " + composite.getName() + " cannot apply to " + parent.getName());
        }
        return composite;
    }

    private boolean overlaps(GraphQLCompositeType a, GraphQLCompositeType b) {
        if (a == b) {
            return true;
        }
        Set<String> possible = new HashSet<>();
        for (GraphQLObjectType type : possibleTypes(a)) {
            possible.add(type.getName());
        }
        for (GraphQLObjectType type : possibleTypes(b)) {
            if (possible.contains(type.getName())) {
                return true;
            }
        }
        return false;
    }

    private List<GraphQLObjectType> possibleTypes(GraphQLCompositeType type) {
        if (type instanceof GraphQLObjectType object) {
            return List.of(object);
        }
        if (type instanceof GraphQLInterfaceType iface) {
            return schema.getImplementations(iface);
        }
        List<GraphQLObjectType> members = new ArrayList<>();
        for (var member : ((GraphQLUnionType) type).getTypes()) {
            members.add((GraphQLObjectType) member);
        }
        return members;
    }

    private void checkField(Field field, GraphQLCompositeType parent, int depth) {
        GraphqlLimits limits = policy.limits();
        if (++fields > limits.maxFields()) {
            throw deny("maxFields", "the document selects more than " + limits.maxFields() + " fields (after expanding fragments)");
        }
        if (field.getAlias() != null && ++aliases > limits.maxAliases()) {
            throw deny("maxAliases", "the document uses more than " + limits.maxAliases() + " aliases (after expanding fragments)");
        }
        if (depth > limits.maxDepth()) {
            throw deny("maxDepth", "the document nests fields deeper than " + limits.maxDepth());
        }
        countDirectives(field.getDirectives());
        String name = field.getName();
        if (name.equals("__typename")) {
            if (field.getSelectionSet() != null) {
                throw deny(DEFAULT_DENY, "__typename has no fields");
            }
            return;
        }
        if (name.equals("__schema") || name.equals("__type")) {
            checkIntrospection(field, parent, depth);
            return;
        }
        if (parent == null) {
            walkUnchecked(field, depth);
            return;
        }
        if (name.startsWith("__") || !(parent instanceof GraphQLFieldsContainer container)) {
            throw deny(DEFAULT_DENY, "field " + parent.getName() + "." + clip(name) + " is not in the schema subset");
        }
        GraphQLFieldDefinition definition = container.getFieldDefinition(name);
        if (definition == null) {
            throw deny(DEFAULT_DENY, "field " + parent.getName() + "." + clip(name) + " is not in the schema subset");
        }
        FieldRule rule = ruleFor(parent, name);
        checkArguments(field, definition, rule);
        GraphQLType result = GraphQLTypeUtil.unwrapAll(definition.getType());
        SelectionSet selections = field.getSelectionSet();
        if (result instanceof GraphQLCompositeType composite) {
            if (selections == null || selections.getSelections().isEmpty()) {
                throw deny(DEFAULT_DENY, "field " + rule.coordinate() + " needs a selection of fields");
            }
            walk(selections, composite, depth);
        } else if (selections != null) {
            throw deny(DEFAULT_DENY, "field " + rule.coordinate() + " is a scalar and has no fields");
        }
    }

    private FieldRule ruleFor(GraphQLCompositeType parent, String name) {
        if (parent == schema.getMutationType()) {
            if (!policy.mutations().contains(name)) {
                throw deny(DEFAULT_DENY, "mutation " + name + " is not allowed by this policy");
            }
            return new FieldRule(parent.getName() + "." + name, null);
        }
        FieldRule rule = policy.rule(parent.getName(), name);
        if (rule == null) {
            throw deny(DEFAULT_DENY, "field " + parent.getName() + "." + name + " is not allowed by this policy");
        }
        return rule;
    }

    private void checkArguments(Field field, GraphQLFieldDefinition definition, FieldRule rule) {
        Set<String> seen = new HashSet<>();
        for (Argument argument : field.getArguments()) {
            String name = argument.getName();
            if (!seen.add(name)) {
                throw deny(DEFAULT_DENY, "argument " + rule.coordinate() + "(" + clip(name) + ") is given twice");
            }
            if (definition.getArgument(name) == null || !rule.allowsArgument(name)) {
                throw deny(DEFAULT_DENY, "argument " + rule.coordinate() + "(" + clip(name) + ") is not allowed by this policy");
            }
        }
    }

    private void checkIntrospection(Field field, GraphQLCompositeType parent, int depth) {
        if (parent != null && parent != schema.getQueryType()) {
            throw deny(DEFAULT_DENY, "field " + parent.getName() + "." + field.getName() + " is not in the schema subset");
        }
        if (!policy.introspection()) {
            throw deny("introspection", "introspection (" + field.getName() + ") is not allowed by this policy");
        }
        walkUnchecked(field, depth);
    }

    private void walkUnchecked(Field field, int depth) {
        if (field.getSelectionSet() != null) {
            walk(field.getSelectionSet(), null, depth);
        }
    }

    private void countDirectives(List<Directive> list) {
        for (Directive directive : list) {
            if (++directives > policy.limits().maxDirectives()) {
                throw deny("maxDirectives", "the document uses more than " + policy.limits().maxDirectives() + " directives");
            }
            if (!policy.directives().contains(directive.getName())) {
                throw deny("directive", "directive @" + clip(directive.getName()) + " is not allowed by this policy");
            }
        }
    }

    private static String clip(String name) {
        return Texts.clip(name, 64);
    }

    private static Denial deny(String rule, String reason) {
        return Denial.deny(rule, reason);
    }
}
