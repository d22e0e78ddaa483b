package dev.atlas.tasks;

import dev.atlas.api.driver.JobStatus;
import dev.atlas.core.http.AtlasException;
import dev.atlas.core.http.ErrorKind;
import dev.atlas.core.http.InboundRequest;
import dev.atlas.core.http.JsonResponses;
import dev.atlas.core.http.RequestCapture;
import dev.atlas.core.http.RoutePath;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * {@code taskDispatch}, last step of {@code tasks-api} ({@code POST|GET|DELETE /api/tasks/{taskId}}, SPEC §6), after
 * {@link TaskAuthenticate}. The task id is the route's own {@code {taskId}} path parameter. POST answers 201 once
 * the driver accepted the job, 200 for a task
 * already accepted (same {@code jobRef}, no second job); GET the job's state (404 unknown); DELETE cancels
 * (200, or 404 when there is no job). Errors are the usual JSON; 503 carries {@code Retry-After}.
 */
public final class TaskDispatch implements Processor {
    private final TaskDispatcher dispatcher;

    public TaskDispatch(TaskDispatcher dispatcher) {
        this.dispatcher = dispatcher;
    }

    @Override
    public void process(Exchange exchange) {
        InboundRequest request = RequestCapture.of(exchange);
        if (!Boolean.TRUE.equals(exchange.getProperty(TaskAuthenticate.AUTHENTICATED, Boolean.class))) {
            throw new IllegalStateException("route " + exchange.getFromRouteId() + " has no taskAuthenticate");
        }
        String taskId = taskId(RoutePath.parameters(exchange, request.rawPath()).getOrDefault("taskId", ""));
        switch (request.method()) {
            case "POST" -> {
                TaskDispatcher.Outcome outcome = dispatcher.accept(taskId, request.body());
                JsonResponses.write(exchange, outcome.httpStatus(), outcome.body());
            }
            case "GET" -> {
                JobStatus status = dispatcher.status(taskId)
                    .orElseThrow(() -> AtlasException.notFound("no job for task " + taskId));
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("taskId", taskId);
                body.put("type", dispatcher.knownType(taskId).orElse(null));
                body.put("driver", dispatcher.driverId());
                body.put("jobRef", status.jobRef());
                body.put("status", status(status.state()));
                body.put("detail", status.detail());
                JsonResponses.write(exchange, 200, body);
            }
            case "DELETE" -> {
                if (!dispatcher.cancel(taskId)) {
                    throw AtlasException.notFound("no job for task " + taskId);
                }
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("taskId", taskId);
                body.put("driver", dispatcher.driverId());
                body.put("status", "cancelled");
                JsonResponses.write(exchange, 200, body);
            }
            default -> throw new AtlasException(ErrorKind.METHOD_NOT_ALLOWED, "use POST, GET or DELETE");
        }
    }

    /** SPEC §6's status words: the one POST answers ({@code accepted}) until the job runs. */
    static String status(JobStatus.State state) {
        return state == JobStatus.State.PENDING ? "accepted" : state.name().toLowerCase(Locale.ROOT);
    }

    private static String taskId(String id) {
        if (!TaskParser.TASK_ID.matcher(id).matches()) {
            throw new AtlasException(ErrorKind.INVALID_REQUEST, "taskId: must be 1 to 128 letters, digits, '.', '_' "
                + "or '-', starting with a letter or digit", Map.of("field", "taskId"), java.util.Optional.empty(),
                null);
        }
        return id;
    }
}
