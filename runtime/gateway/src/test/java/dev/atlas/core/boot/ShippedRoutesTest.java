package dev.atlas.core.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atlas.api.config.ProblemList;
import dev.atlas.core.http.AtlasException;
import dev.atlas.core.http.ErrorResponder;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spi.Registry;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.test.junit5.CamelContextConfiguration;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.apache.camel.test.junit5.TestExecutionConfiguration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The shipped routes as Camel loads them (the {@link RouteCatalog}'s files), each HTTP {@code from} replaced by
 * {@code direct:<route id>} with AdviceWith and every step a recorder: a change to a route file's steps, their
 * order or its error handling fails here (SPEC §9's table is the expectation).
 */
class ShippedRoutesTest extends CamelTestSupport {
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private final Map<String, Object> bodies = new ConcurrentHashMap<>();
    private volatile String failing = "";

    @Override
    public void configureTest(TestExecutionConfiguration test) {
        super.configureTest(test);
        test.withUseAdviceWith(true);
    }

    @Override
    public void configureContext(CamelContextConfiguration camel) {
        super.configureContext(camel);
        Properties properties = new Properties();
        properties.setProperty("atlas.tasks.rabbitmq.enabled", "false");
        camel.withUseOverridePropertiesWithPropertiesComponent(properties);
    }

    @Override
    protected void bindToRegistry(Registry registry) {
        for (String name : RouteGuards.knownNames()) {
            if (name.equals("errorResponder")) {
                continue;
            }
            registry.bind(name, (Processor) exchange -> {
                calls.add(name);
                bodies.put(name, exchange.getMessage().getBody());
                if (name.equals(failing)) {
                    throw AtlasException.unauthorized("refused by " + name);
                }
            });
        }
        registry.bind("errorResponder", new ErrorResponder());
    }

    @Override
    protected RoutesBuilder[] createRouteBuilders() throws Exception {
        ProblemList problems = new ProblemList();
        RouteCatalog catalog = RouteCatalog.load(Optional.empty(), problems);
        assertThat(problems.lines()).isEmpty();
        List<Resource> resources = new ArrayList<>();
        for (RouteCatalog.RouteFile file : catalog.files()) {
            String name = file.name().endsWith(".camel.yaml") ? file.name() : file.name() + ".camel.yaml";
            resources.add(ResourceHelper.fromString(name, file.yaml()));
        }
        return PluginHelper.getRoutesLoader(context).findRoutesBuilders(resources).toArray(new RoutesBuilder[0]);
    }

    /** Every platform-http route now starts at {@code direct:<id>}; then the context starts. */
    private void adviseAndStart() throws Exception {
        ModelCamelContext model = (ModelCamelContext) context;
        for (RouteDefinition route : List.copyOf(model.getRouteDefinitions())) {
            if (route.getInput().getEndpointUri().startsWith("platform-http:")) {
                AdviceWith.adviceWith(context, route.getRouteId(), a -> a.replaceFromWith("direct:" + route.getRouteId()));
            }
        }
        context.start();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "webhook-ingress         | webhookApp,webhookVerify,webhookSpool",
        "webhook-delivery        | webhookSign,webhookSend",
        "jobs-results-delivery   | webhookSign,webhookSend",
        "vcs-proxy-graphql       | proxyAuthenticate,proxyApp,proxyPolicy,proxyCredentials,proxyForward,proxyRedact",
        "vcs-proxy-rest          | proxyAuthenticate,proxyApp,proxyPolicy,proxyCredentials,proxyForward,proxyRedact",
        "tasks-api               | taskAuthenticate,taskDispatch"})
    void runsTheStepsOfSpecSection9InOrder(String routeId, String steps) throws Exception {
        adviseAndStart();
        Exchange done = template.send("direct:" + routeId, e -> e.getIn().setBody(new byte[] {1}));
        assertThat(done.getException()).isNull();
        assertThat(calls).containsExactly(steps.split(","));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"webhook-ingress,webhookApp", "webhook-delivery,webhookSign", "vcs-proxy-graphql,proxyAuthenticate",
        "vcs-proxy-rest,proxyAuthenticate", "tasks-api,taskAuthenticate", "jobs-results,captureRequest",
        "jobs-results-delivery,webhookSign"})
    void handsTheFirstStepTheBodyAsItCameWithoutCopyingItIntoAStreamCache(String routeId, String firstStep)
        throws Exception {
        adviseAndStart();
        InputStream body = new ByteArrayInputStream(new byte[] {1, 2, 3});
        template.send("direct:" + routeId, e -> e.getIn().setBody(body));
        assertThat(bodies.get(firstStep)).isSameAs(body);
    }

    @ParameterizedTest(name = "{0} stops at {1}")
    @CsvSource(delimiter = '|', value = {
        "webhook-ingress   | webhookVerify     | webhookApp,webhookVerify",
        "webhook-ingress   | webhookApp        | webhookApp",
        "vcs-proxy-rest    | proxyAuthenticate | proxyAuthenticate",
        "vcs-proxy-graphql | proxyApp          | proxyAuthenticate,proxyApp",
        "vcs-proxy-rest    | proxyForward      | proxyAuthenticate,proxyApp,proxyPolicy,proxyCredentials,proxyForward",
        "tasks-api         | taskAuthenticate  | taskAuthenticate"})
    void answersAFailingStepWithTheSharedJsonErrorAndRunsNothingAfterIt(String routeId, String step, String steps)
        throws Exception {
        failing = step;
        adviseAndStart();
        Exchange done = template.send("direct:" + routeId, e -> e.getIn().setBody(new byte[] {1}));
        assertThat(calls).containsExactly(steps.split(","));
        assertThat(done.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(401);
        assertThat(done.getMessage().getBody(String.class)).contains("\"error\":\"unauthorized\"");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"webhook-delivery", "jobs-results-delivery"})
    void leavesAFailedDeliveryAttemptsExceptionToTheSpoolsLoop(String routeId) throws Exception {
        failing = "webhookSend";
        adviseAndStart();
        Exchange done = template.send("direct:" + routeId, e -> e.getIn().setBody(new byte[] {1}));
        assertThat(done.getException()).isInstanceOf(AtlasException.class);
        assertThat(done.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isNull();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"webhook-ingress", "vcs-proxy-graphql", "vcs-proxy-rest", "tasks-api", "health-live", "auth-token"})
    void givesEveryHttpRouteTheSharedErrorHandling(String routeId) {
        RouteDefinition route = ((ModelCamelContext) context).getRouteDefinition(routeId);
        assertThat(route.getRouteConfigurationId()).isEqualTo("atlas-errors");
        assertThat(Set.of(route.getInput().getEndpointUri().split(":")[0])).containsExactly("platform-http");
    }
}
