package dev.atlas.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.camel.component.springrabbit.SpringRabbitMQComponent;
import org.apache.camel.component.springrabbit.SpringRabbitMQEndpoint;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;

/** The task queue's consumer threads get Atlas's name; every container still comes from the component's factory. */
class TaskQueueListenersTest {

    /** A container that remembers the name it was given (its threads take it, plus a number). */
    private static final class NamedContainer extends SimpleMessageListenerContainer {
        String name = "not named";

        @Override
        public void setBeanName(String name) {
            super.setBeanName(name);
            this.name = name;
        }
    }

    private static SpringRabbitMQEndpoint endpoint(SpringRabbitMQComponent component, String queue) {
        SpringRabbitMQEndpoint endpoint = new SpringRabbitMQEndpoint("spring-rabbitmq:default", component, "default");
        endpoint.setQueues(queue);
        return endpoint;
    }

    @Test
    void namesTheTaskQueuesContainersAndLeavesAnyOtherQueuesAsTheComponentsFactoryMadeThem() throws Exception {
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            SpringRabbitMQComponent component = new SpringRabbitMQComponent();
            component.setCamelContext(camel);
            List<String> made = new ArrayList<>();
            // an admin's own factory on the component: the task queue's containers must come from it too
            TaskQueueListeners listeners = new TaskQueueListeners("atlas.tasks", endpoint -> {
                made.add(endpoint.getQueues());
                return new NamedContainer();
            });

            NamedContainer tasks = (NamedContainer) listeners.createListenerContainer(endpoint(component, "atlas.tasks"));
            NamedContainer other = (NamedContainer) listeners.createListenerContainer(endpoint(component, "orders"));

            assertThat(made).containsExactly("atlas.tasks", "orders");
            assertThat(tasks.name).isEqualTo("atlas-task-queue");
            assertThat(other.name).isEqualTo("not named");
        }
    }
}
