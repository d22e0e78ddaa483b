package dev.atlas.driver.nomad;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An in-process fake of the parts of Nomad's HTTP API the driver uses, on a free port. It stores jobs and
 * variables, and checks every request against the shapes of Nomad's API docs: the ACL token header, the
 * namespace, the JSON field names and types. A request that breaks them is answered 400 (as Nomad would) and
 * recorded in {@link #violations()}, which every test expects to stay empty.
 */
final class FakeNomad implements AutoCloseable {
    static final String TOKEN = "fake-nomad-token";

    private final ObjectMapper json = new ObjectMapper();
    private final HttpServer server;
    private final Map<String, ObjectNode> jobs = new ConcurrentHashMap<>();
    private final Map<String, ObjectNode> variables = new ConcurrentHashMap<>();
    private final Map<String, ArrayNode> allocations = new ConcurrentHashMap<>();
    private final List<String> violations = new CopyOnWriteArrayList<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final Map<String, Failure> failures = new ConcurrentHashMap<>();
    private final String namespace;
    private long index = 100;

    private record Failure(int status, String body) {
    }

    FakeNomad(String namespace) throws IOException {
        this.namespace = namespace;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    String address() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    List<String> violations() {
        return List.copyOf(violations);
    }

    /** {@code METHOD path} of every request, in order. */
    List<String> requests() {
        return List.copyOf(requests);
    }

    Map<String, ObjectNode> jobs() {
        return jobs;
    }

    Map<String, ObjectNode> variables() {
        return variables;
    }

    /** Makes the next {@code method path} answer {@code status} with {@code body}, once. */
    void failNext(String method, String path, int status, String body) {
        failures.put(method + " " + path, new Failure(status, body));
    }

    /** Sets what Nomad reports of a job: its status, whether it was stopped, and its allocations. */
    void setJobState(String jobId, String status, boolean stop, ArrayNode allocs) {
        ObjectNode job = jobs.get(jobId);
        job.put("Status", status);
        job.put("Stop", stop);
        allocations.put(jobId, allocs);
    }

    ArrayNode allocation(String clientStatus, String task, int exitCode) {
        ArrayNode list = json.createArrayNode();
        ObjectNode alloc = list.addObject();
        alloc.put("ID", "alloc-1");
        alloc.put("ClientStatus", clientStatus);
        alloc.put("CreateIndex", 10);
        ObjectNode event = alloc.putObject("TaskStates").putObject(task).put("State", "dead")
            .putArray("Events").addObject();
        event.put("Type", "Terminated");
        event.put("ExitCode", exitCode);
        return list;
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            URI uri = exchange.getRequestURI();
            String path = uri.getPath();
            requests.add(method + " " + path);
            Map<String, String> query = query(uri);
            if (!TOKEN.equals(exchange.getRequestHeaders().getFirst("X-Nomad-Token"))) {
                violations.add(method + " " + path + " without the X-Nomad-Token header");
                reply(exchange, 403, "Permission denied");
                return;
            }
            Failure failure = failures.remove(method + " " + path);
            if (failure != null) {
                reply(exchange, failure.status(), failure.body());
                return;
            }
            if (!path.equals("/v1/status/leader") && !namespace.equals(query.get("namespace"))) {
                violations.add(method + " " + path + " without ?namespace=" + namespace);
            }
            byte[] bytes = exchange.getRequestBody().readAllBytes();
            JsonNode body = bytes.length == 0 ? null : json.readTree(bytes);
            route(exchange, method, path, query, body);
        }
    }

    private void route(HttpExchange exchange, String method, String path, Map<String, String> query, JsonNode body)
        throws IOException {
        if (path.equals("/v1/status/leader") && method.equals("GET")) {
            reply(exchange, 200, "\"127.0.0.1:4647\"");
        } else if (path.startsWith("/v1/var/")) {
            variable(exchange, method, path.substring("/v1/var/".length()), body);
        } else if (path.equals("/v1/jobs") && method.equals("POST")) {
            register(exchange, body);
        } else if (path.equals("/v1/jobs") && method.equals("GET")) {
            ArrayNode stubs = json.createArrayNode();
            String prefix = query.getOrDefault("prefix", "");
            jobs.values().stream().filter(j -> j.path("ID").asText().startsWith(prefix)).forEach(j -> stubs.addObject()
                .put("ID", j.path("ID").asText()).put("Status", j.path("Status").asText())
                .put("Stop", j.path("Stop").asBoolean()).put("Type", "batch"));
            reply(exchange, 200, stubs.toString());
        } else if (path.startsWith("/v1/job/")) {
            String rest = path.substring("/v1/job/".length());
            String id = rest.endsWith("/allocations") ? rest.substring(0, rest.length() - "/allocations".length()) : rest;
            ObjectNode job = jobs.get(id);
            if (job == null) {
                reply(exchange, 404, "job not found");
            } else if (rest.endsWith("/allocations") && method.equals("GET")) {
                reply(exchange, 200, allocations.getOrDefault(id, json.createArrayNode()).toString());
            } else if (method.equals("GET")) {
                reply(exchange, 200, job.toString());
            } else if (method.equals("DELETE")) {
                if ("true".equals(query.get("purge"))) {
                    jobs.remove(id);
                } else {
                    job.put("Stop", true);
                    job.put("Status", "dead");
                }
                reply(exchange, 200, "{\"EvalID\":\"eval-1\",\"JobModifyIndex\":" + (++index) + "}");
            } else {
                reply(exchange, 405, "method not allowed");
            }
        } else {
            violations.add("unexpected " + method + " " + path);
            reply(exchange, 404, "not found");
        }
    }

    private void variable(HttpExchange exchange, String method, String varPath, JsonNode body) throws IOException {
        switch (method) {
            case "PUT" -> {
                List<String> problems = new ArrayList<>();
                require(body, "Namespace", JsonNodeType.STRING, problems);
                require(body, "Path", JsonNodeType.STRING, problems);
                require(body, "Items", JsonNodeType.OBJECT, problems);
                if (problems.isEmpty()) {
                    if (!varPath.equals(body.get("Path").asText())) {
                        problems.add("Path " + body.get("Path") + " differs from the URL's " + varPath);
                    }
                    body.get("Items").fields().forEachRemaining(e -> {
                        if (!e.getValue().isTextual()) {
                            problems.add("Items." + e.getKey() + " is not a string");
                        }
                        if (!e.getKey().matches("[A-Za-z0-9_]+")) {
                            problems.add("Items key " + e.getKey() + " is no template identifier");
                        }
                    });
                }
                if (!problems.isEmpty()) {
                    violations.addAll(problems);
                    reply(exchange, 400, String.join("; ", problems));
                    return;
                }
                variables.put(varPath, (ObjectNode) body);
                reply(exchange, 200, body.toString());
            }
            case "DELETE" -> {
                variables.remove(varPath);
                reply(exchange, 204, "");
            }
            default -> reply(exchange, 405, "method not allowed");
        }
    }

    private void register(HttpExchange exchange, JsonNode body) throws IOException {
        List<String> problems = new ArrayList<>();
        require(body, "Job", JsonNodeType.OBJECT, problems);
        require(body, "EnforceIndex", JsonNodeType.BOOLEAN, problems);
        require(body, "JobModifyIndex", JsonNodeType.NUMBER, problems);
        if (problems.isEmpty()) {
            checkJob(body.get("Job"), problems);
        }
        if (!problems.isEmpty()) {
            violations.addAll(problems);
            reply(exchange, 400, String.join("; ", problems));
            return;
        }
        ObjectNode job = (ObjectNode) body.get("Job").deepCopy();
        String id = job.get("ID").asText();
        if (jobs.containsKey(id) && body.get("EnforceIndex").asBoolean() && body.get("JobModifyIndex").asLong() == 0) {
            reply(exchange, 500, "Enforcing job modify index 0: job already exists");
            return;
        }
        job.put("Status", "pending");
        job.put("Stop", false);
        job.put("JobModifyIndex", ++index);
        jobs.put(id, job);
        reply(exchange, 200, "{\"EvalID\":\"eval-1\",\"JobModifyIndex\":" + index + ",\"Warnings\":\"\"}");
    }

    private void checkJob(JsonNode job, List<String> problems) {
        for (String field : List.of("ID", "Name", "Type", "Namespace")) {
            require(job, field, JsonNodeType.STRING, problems);
        }
        require(job, "Datacenters", JsonNodeType.ARRAY, problems);
        require(job, "TaskGroups", JsonNodeType.ARRAY, problems);
        require(job, "Meta", JsonNodeType.OBJECT, problems);
        job.path("Meta").fields().forEachRemaining(e -> {
            if (!e.getValue().isTextual()) {
                problems.add("Job.Meta." + e.getKey() + " is not a string");
            }
        });
        if (!"batch".equals(job.path("Type").asText())) {
            problems.add("Job.Type is not batch");
        }
        for (JsonNode group : job.path("TaskGroups")) {
            require(group, "Name", JsonNodeType.STRING, problems);
            require(group, "Count", JsonNodeType.NUMBER, problems);
            require(group, "Tasks", JsonNodeType.ARRAY, problems);
            for (JsonNode network : group.path("Networks")) {
                require(network, "Mode", JsonNodeType.STRING, problems);
            }
            for (JsonNode task : group.path("Tasks")) {
                checkTask(task, problems);
                String hook = task.path("Lifecycle").path("Hook").asText("");
                if (task.has("Lifecycle") && !Set.of("prestart", "poststart", "poststop").contains(hook)) {
                    problems.add("Lifecycle.Hook " + hook + " is not a Nomad hook");
                }
            }
        }
    }

    private void checkTask(JsonNode task, List<String> problems) {
        require(task, "Name", JsonNodeType.STRING, problems);
        require(task, "Driver", JsonNodeType.STRING, problems);
        require(task, "Config", JsonNodeType.OBJECT, problems);
        require(task, "Env", JsonNodeType.OBJECT, problems);
        require(task, "Resources", JsonNodeType.OBJECT, problems);
        require(task, "KillTimeout", JsonNodeType.NUMBER, problems);
        require(task.path("Resources"), "CPU", JsonNodeType.NUMBER, problems);
        require(task.path("Resources"), "MemoryMB", JsonNodeType.NUMBER, problems);
        task.path("Env").fields().forEachRemaining(e -> {
            if (!e.getValue().isTextual()) {
                problems.add("Env." + e.getKey() + " is not a string");
            }
        });
        for (JsonNode template : task.path("Templates")) {
            require(template, "DestPath", JsonNodeType.STRING, problems);
            require(template, "EmbeddedTmpl", JsonNodeType.STRING, problems);
            require(template, "Perms", JsonNodeType.STRING, problems);
            if (template.path("DestPath").asText().startsWith("/") || template.path("DestPath").asText().contains("..")) {
                problems.add("template DestPath " + template.path("DestPath") + " leaves the task dir");
            }
        }
        Set<String> known = Set.of("Name", "Driver", "User", "Config", "Env", "Resources", "KillTimeout", "Templates",
            "Lifecycle", "Leader", "Meta");
        task.fieldNames().forEachRemaining(f -> {
            if (!known.contains(f)) {
                problems.add("Task." + f + " is not a Nomad task field");
            }
        });
    }

    private static void require(JsonNode node, String field, JsonNodeType type, List<String> problems) {
        JsonNode value = node == null ? null : node.get(field);
        if (value == null || value.getNodeType() != type) {
            problems.add(field + " must be a " + type.name().toLowerCase(Locale.ROOT));
        }
    }

    private static Map<String, String> query(URI uri) {
        if (uri.getRawQuery() == null) {
            return Collections.emptyMap();
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : uri.getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            out.put(URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
                eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, status == 204 || bytes.length == 0 ? -1 : bytes.length);
        if (status != 204 && bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
    }
}
