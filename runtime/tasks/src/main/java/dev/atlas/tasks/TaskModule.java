package dev.atlas.tasks;

import dev.atlas.api.driver.Driver;
import dev.atlas.api.driver.DriverHealth;
import dev.atlas.api.vcs.AppSettings;
import dev.atlas.core.boot.ApplicationModule;
import dev.atlas.core.boot.ModuleContext;
import dev.atlas.core.cloud.CloudAuthenticator;
import dev.atlas.core.config.AtlasConfig;
import dev.atlas.core.health.ReadinessCheck;
import dev.atlas.core.tokens.TaskTokens;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesComponent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The orchestrator duty (SPEC §6): binds {@code taskAuthenticate} and {@code taskDispatch} for the HTTP route of
 * {@code tasks.camel.yaml} and, when
 * {@code tasks.rabbitmq.enabled}, {@code taskQueueIngress} and the connection factory {@code atlasTaskRabbit} for the
 * queue route (whose {@code precondition} leaves it out otherwise). Readiness depends on the driver's backend and,
 * with queue ingress, the broker. On stop: new tasks get 503 at once, the queue consumer stops fetching, and the stop
 * waits (up to {@code shutdown.timeout}) for dispatches under way before the routes go.
 */
public final class TaskModule implements ApplicationModule {
    private static final Logger LOG = LoggerFactory.getLogger(TaskModule.class);
    /** The id of the queue route in {@code tasks.camel.yaml}. */
    public static final String QUEUE_ROUTE = "tasks-rabbitmq";

    private TaskDispatcher dispatcher;
    private TaskQueues queues;
    private CamelContext camel;
    private java.time.Duration shutdownTimeout;

    @Override
    public void configure(ModuleContext context) throws Exception {
        AtlasConfig config = context.assembly().config();
        AtlasConfig.Tasks settings = config.tasks();
        camel = context.camel();
        shutdownTimeout = config.shutdownTimeout();
        Map<String, AppSettings> apps = new LinkedHashMap<>();
        context.assembly().providers().forEach((id, provider) -> apps.put(id, provider.app()));
        TaskParser parser = new TaskParser(apps, config.cloud().url(), settings.timeLimit(), settings.resources(),
            settings.jobUrl(), settings.push());
        JobBuilder jobs = new JobBuilder(settings.cloneImage(), settings.jobImage(), settings.cloneStep(),
            TaskTokens.on(context.signingKeys(), config, context.clock()), settings.jobUrl())
            .withJobTrust(config.outbound().caBundlePem());
        Driver driver = context.assembly().driver();
        dispatcher = new TaskDispatcher(parser, jobs, context.assembly().providers(), driver, settings.driver(),
            TaskRecords.open(config.dataDir().resolve("tasks").resolve("accepted")), context.metrics(),
            context.lifecycle()::stopping);
        CloudAuthenticator authenticator = new CloudAuthenticator(config.cloud().auth(), context.clock());
        context.bind("taskAuthenticate", new TaskAuthenticate(authenticator));
        context.bind("taskDispatch", new TaskDispatch(dispatcher));
        context.addReadinessCheck(ReadinessCheck.of("task-driver", () -> {
            DriverHealth health = driver.health();
            return new ReadinessCheck.Result(health.up(), settings.driver() + ": " + health.detail());
        }));

        PropertiesComponent properties = camel.getPropertiesComponent();
        AtlasConfig.TaskQueue queue = settings.rabbitmq();
        properties.addInitialProperty("atlas.tasks.rabbitmq.enabled", String.valueOf(queue.enabled()));
        properties.addInitialProperty("atlas.tasks.rabbitmq.queue", queue.queue());
        properties.addInitialProperty("atlas.tasks.rabbitmq.consumers", String.valueOf(queue.consumers()));
        if (queue.enabled() && config.rabbitmq().isPresent()) {
            queues = TaskQueues.create(config.rabbitmq().get().uri(), queue.queue());
            queues.declare();
            camel.addService(queues, true, true);
            context.bind("atlasTaskRabbit", queues.connectionFactory());
            org.apache.camel.component.springrabbit.SpringRabbitMQComponent rabbit = camel.getComponent(
                "spring-rabbitmq", org.apache.camel.component.springrabbit.SpringRabbitMQComponent.class);
            rabbit.setListenerContainerFactory(
                new TaskQueueListeners(queue.queue(), rabbit.getListenerContainerFactory()));
            context.bind("taskQueueIngress", new TaskQueueConsumer(dispatcher, queues, queue.maxAttempts(),
                queue.maxBackoff(), context.lifecycle()::stopping, context.metrics(), authenticator, queue.requireJwt(),
                config.runner().cloudSecret()));
            if (!queue.requireJwt()) {
                LOG.warn("tasks.rabbitmq.requireJwt is false: task messages without the cloud's JWT are accepted, "
                    + "so whoever may publish to {} can start jobs", queue.queue());
            }
            context.addReadinessCheck(ReadinessCheck.of("task-queue", this::brokerCheck));
            LOG.info("task ingress over RabbitMQ on queue {} ({} consumers)", queue.queue(), queue.consumers());
        }
    }

    private ReadinessCheck.Result brokerCheck() {
        try {
            queues.connectionFactory().createConnection().close();
            return new ReadinessCheck.Result(true, "broker reachable, queue " + queues.queue());
        } catch (RuntimeException e) {
            return new ReadinessCheck.Result(false, "broker unreachable (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** Stops fetching from the queue, then waits for dispatches under way (new tasks already get 503). */
    @Override
    public void beforeStop() {
        if (queues != null && camel != null && camel.getRoute(QUEUE_ROUTE) != null) {
            try {
                camel.getRouteController().stopRoute(QUEUE_ROUTE);
            } catch (Exception e) {
                LOG.warn("cannot stop the task queue consumer: {}", e.toString());
            }
        }
        if (dispatcher != null) {
            try {
                if (!dispatcher.awaitIdle(shutdownTimeout)) {
                    LOG.warn("task dispatches still under way after {}", shutdownTimeout);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public java.util.Set<String> steps() {
        return java.util.Set.of("taskAuthenticate", "taskDispatch", "taskQueueIngress", "atlasTaskRabbit");
    }

    @Override
    public String id() {
        return "tasks";
    }

    @Override
    public int order() {
        return 40;
    }
}
