package dev.atlas.bench;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The floor of a durable acceptance on this machine: a bare Vert.x server (one per event loop, like Atlas) that
 * answers 202 only once the request's body is on disk, and does nothing else. One writer thread takes every body
 * waiting, writes them with one gathering write into a preallocated file (so that a sync need not write the file's
 * size) and syncs them with one {@code fdatasync}, then answers each on its own event loop: the group commit of
 * Atlas's spool journal without its record format, checksums, index, signature check or routes. The file is reused
 * from its start when full (nothing is ever read back). Usage: {@code DurableHello PORT FILE}.
 */
public final class DurableHello {
    private static final long FILE_BYTES = 64L * 1024 * 1024;
    private static final Buffer ANSWER = Buffer.buffer("{\"id\":\"durable\"}");

    private record Waiting(byte[] body, HttpServerRequest request, Context context) {
    }

    private final BlockingQueue<Waiting> queue = new LinkedBlockingQueue<>();
    private final FileChannel file;
    private long position;

    private DurableHello(FileChannel file) {
        this.file = file;
    }

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        FileChannel file = preallocated(Path.of(args[1]));
        DurableHello server = new DurableHello(file);
        Thread writer = new Thread(server::write, "durable-writer");
        writer.setDaemon(true);
        writer.start();
        Vertx vertx = Vertx.vertx(new VertxOptions());
        int loops = VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE;
        for (int i = 0; i < loops; i++) {
            vertx.createHttpServer()
                .requestHandler(request -> request.body().onSuccess(body -> server.queue.add(
                    new Waiting(body.getBytes(), request, Vertx.currentContext()))))
                .listen(port, "127.0.0.1")
                .onSuccess(s -> System.out.println("durable hello on " + s.actualPort()))
                .onFailure(e -> {
                    e.printStackTrace();
                    System.exit(1);
                });
        }
    }

    private static FileChannel preallocated(Path path) throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
            StandardOpenOption.WRITE);
        ByteBuffer zeros = ByteBuffer.allocate(1024 * 1024);
        for (long at = 0; at < FILE_BYTES; at += zeros.capacity()) {
            zeros.clear();
            channel.write(zeros, at);
        }
        channel.force(true);
        return channel;
    }

    private void write() {
        List<Waiting> batch = new ArrayList<>();
        while (true) {
            try {
                batch.add(queue.take());
                queue.drainTo(batch);
                ByteBuffer[] buffers = new ByteBuffer[batch.size()];
                long bytes = 0;
                for (int i = 0; i < buffers.length; i++) {
                    buffers[i] = ByteBuffer.wrap(batch.get(i).body());
                    bytes += buffers[i].remaining();
                }
                if (position + bytes > FILE_BYTES) {
                    position = 0;
                }
                file.position(position);
                long written = 0;
                while (written < bytes) {
                    written += file.write(buffers);
                }
                position += bytes;
                file.force(false);
                for (Waiting w : batch) {
                    w.context().runOnContext(v -> w.request().response().setStatusCode(202)
                        .putHeader("Content-Type", "application/json").end(ANSWER));
                }
            } catch (InterruptedException e) {
                return;
            } catch (IOException e) {
                for (Waiting w : batch) {
                    w.context().runOnContext(v -> w.request().response().setStatusCode(503).end());
                }
            }
            batch.clear();
        }
    }
}
