package dev.atlas.tasks;

import org.apache.camel.component.springrabbit.ListenerContainerFactory;
import org.apache.camel.component.springrabbit.SpringRabbitMQEndpoint;
import org.springframework.amqp.rabbit.listener.AbstractMessageListenerContainer;

/**
 * Names the task queue's listener containers: their consumer threads are {@code atlas-task-queue-1}, {@code -2}, …
 * (the {@code threadName} of their log lines and of a thread dump) instead of the listener container's default
 * {@code not.a.Spring.bean-N}. The containers themselves are made by the factory the {@code spring-rabbitmq}
 * component had (Camel's, or one an admin configured); a consumer of any other queue (an admin's own route) gets that
 * factory's containers untouched.
 */
final class TaskQueueListeners implements ListenerContainerFactory {
    /** The consumer threads' name, before their number. */
    static final String NAME = "atlas-task-queue";
    private final ListenerContainerFactory containers;
    private final String queue;

    /**
     * @param queue {@code tasks.rabbitmq.queue}
     * @param containers the component's factory until now (Camel's own unless an admin set another)
     */
    TaskQueueListeners(String queue, ListenerContainerFactory containers) {
        this.queue = queue;
        this.containers = java.util.Objects.requireNonNull(containers, "the component's listener container factory");
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
