package dev.atlas.bench.baseline;

import dev.atlas.bench.GroupCommit;
import java.nio.file.Path;
import org.apache.camel.main.Main;

/**
 * The bare Camel baselines the load scripts run beside Atlas: one of the YAML routes in {@code baseline/} on
 * {@code platform-http} (Vert.x), with nothing of Atlas in the way. Usage:
 * {@code BareCamelRoutes accept|durable|proxy PORT [UPSTREAM|FILE]}: {@code accept} answers 202 to
 * any {@code POST} after reading the body; {@code durable} answers 202 once the body is group-committed to
 * {@code FILE} ({@link GroupCommitStep}); {@code proxy} forwards {@code POST /vcs/graphql} to
 * {@code UPSTREAM/api/graphql} with the {@code vertx-http} producer.
 */
public final class BareCamelRoutes {
    private BareCamelRoutes() {
    }

    public static void main(String[] args) throws Exception {
        String route = args[0];
        if (!route.equals("accept") && !route.equals("durable") && !route.equals("proxy")) {
            throw new IllegalArgumentException("route must be accept, durable or proxy");
        }
        Main main = new Main(BareCamelRoutes.class);
        if (route.equals("durable")) {
            main.bind("groupCommit", new GroupCommitStep(GroupCommit.start(Path.of(args[2]))));
        }
        main.addInitialProperty("camel.main.name", "bare-" + route);
        main.addInitialProperty("camel.main.routesIncludePattern", "classpath:baseline/" + route + ".yaml");
        main.addInitialProperty("camel.server.enabled", "true");
        main.addInitialProperty("camel.server.host", "127.0.0.1");
        main.addInitialProperty("camel.server.port", args[1]);
        main.addInitialProperty("bench.upstream", route.equals("proxy") && args.length > 2 ? args[2] : "http://127.0.0.1:1");
        main.run();
    }
}
