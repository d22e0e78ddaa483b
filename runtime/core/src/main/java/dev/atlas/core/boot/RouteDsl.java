package dev.atlas.core.boot;

import java.util.List;
import java.util.Optional;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;

/**
 * Reads an admin routes file with Camel's own YAML DSL, in a scratch context that is never started, so that a file
 * YAML accepts but Camel does not (a misspelled EIP, an unknown option) is one of the problems {@code atlas check}
 * lists and {@code atlas run} refuses to start on, instead of a failure half-way through start.
 */
final class RouteDsl {
    private RouteDsl() {
    }

    /** Why Camel cannot read {@code yaml}, if it cannot (its message names line and column). */
    static Optional<String> problem(String name, String yaml) {
        try (DefaultCamelContext camel = new DefaultCamelContext(false)) {
            // the placeholders the shipped routes use (TaskModule sets them at run); others an admin names are not
            // Atlas's to know here
            var properties = camel.getPropertiesComponent();
            properties.setIgnoreMissingLocation(true);
            properties.setIgnoreMissingProperty(true);
            properties.addInitialProperty("atlas.tasks.rabbitmq.enabled", "false");
            properties.addInitialProperty("atlas.tasks.rabbitmq.queue", "atlas.tasks");
            properties.addInitialProperty("atlas.tasks.rabbitmq.consumers", "1");
            camel.build();
            String resource = name.endsWith(".camel.yaml") ? name : name + ".camel.yaml";
            for (RoutesBuilder builder : PluginHelper.getRoutesLoader(camel)
                .findRoutesBuilders(List.of(ResourceHelper.fromString(resource, yaml)))) {
                builder.addRoutesToCamelContext(camel);
            }
            return Optional.empty();
        } catch (Exception e) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            String message = String.valueOf(root.getMessage()).replaceAll("\\s+", " ").trim();
            return Optional.of("Camel cannot read it: " + (message.length() > 300 ? message.substring(0, 300) + "..."
                : message));
        }
    }
}
