package dev.atlas.tasks;

import org.apache.camel.component.springrabbit.DefaultListenerContainerFactory;
import org.apache.camel.component.springrabbit.ListenerContainerFactory;
import org.apache.camel.component.springrabbit.SpringRabbitMQEndpoint;
import org.springframework.amqp.rabbit.listener.AbstractMessageListenerContainer;

/**
 * Makes the task queue's listener containers as Camel does, under Atlas's name: the consumer threads are
 * {@code atlas-task-queue-1}, {@code -2}, … (the {@code threadName} of their log lines and of a thread dump) instead of
 * the listener container's default {@code not.a.Spring.bean-N}. It is set on the {@code spring-rabbitmq} component,
 * so a consumer of any other queue (an admin's own route) keeps Camel's containers as they are.
 */
final class TaskQueueListeners implements ListenerContainerFactory {
    /** The consumer threads' name, before their number. */
    static final String NAME = "atlas-task-queue";
    private final ListenerContainerFactory containers = new DefaultListenerContainerFactory();
    private final String queue;

    /** @param queue {@code tasks.rabbitmq.queue} */
    TaskQueueListeners(String queue) {
        this.queue = queue;
    }

    @Override
    public AbstractMessageListenerContainer createListenerContainer(SpringRabbitMQEndpoint endpoint) {
        AbstractMessageListenerContainer container = containers.createListenerContainer(endpoint);
        if (queue.equals(endpoint.getQueues())) {
            container.setBeanName(NAME);
        }
        return container;
    }
}
