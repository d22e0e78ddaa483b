package dev.atlas.core.fakes;

import dev.atlas.core.boot.AtlasApplication;
import dev.atlas.core.boot.Assembly;
import dev.atlas.core.boot.Bootstrap;
import dev.atlas.core.boot.Modules;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/** An Atlas started in-process on a free port for HTTP tests, with a plain HTTP client pointed at it. */
public final class RunningAtlas implements AutoCloseable {
    private final AtlasApplication app;
    private final HttpClient http = HttpClient.newHttpClient();

    private RunningAtlas(AtlasApplication app) {
        this.app = app;
    }

    /** Starts Atlas on {@code configFile} with the environment {@code env}. */
    public static RunningAtlas start(Path configFile, Map<String, String> env) throws Exception {
        Assembly assembly = Bootstrap.assemble(configFile, env::get, configFile.getParent());
        return new RunningAtlas(AtlasApplication.start(assembly, Clock.systemUTC(), Modules.all()));
    }

    public AtlasApplication app() {
        return app;
    }

    public String url(String path) {
        return "http://127.0.0.1:" + app.port() + path;
    }

    public HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(URI.create(url(path))).GET().build());
    }

    public HttpResponse<String> post(String path, byte[] body, String... headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url(path)))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (headers.length > 0) {
            builder.headers(headers);
        }
        return send(builder.build());
    }

    public HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        app.stop();
    }
}
