package dev.weft.http;

import com.sun.net.httpserver.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A {@link JobApi} served by the JDK's HttpServer on virtual threads.
 *
 * <pre>{@code
 * try (var server = WeftHttpServer.start(JobApi.builder(runtime).build())) {
 *     System.out.println("serving on " + server.uri());
 * }
 * }</pre>
 *
 * <p>Security: binds to the configured address (127.0.0.1 by default). Binding to any address that is not a
 * loopback address requires a bearer token, or {@link #start} refuses with {@link IllegalStateException}.
 * {@link #close()} ends every event stream, stops the server and waits for every request thread to end.
 */
public final class WeftHttpServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WeftHttpServer.class);

    private final JobApi api;
    private final HttpServer server;
    private final ExecutorService executor;
    private volatile boolean closed;

    private WeftHttpServer(JobApi api, HttpServer server, ExecutorService executor) {
        this.api = api;
        this.server = server;
        this.executor = executor;
    }

    /**
     * Starts serving {@code api} on its config's address and port.
     *
     * @throws IllegalStateException if the address is not loopback and no bearer token is configured
     * @throws IOException           if the port cannot be bound
     */
    public static WeftHttpServer start(JobApi api) throws IOException {
        HttpConfig config = api.config();
        if (!config.bindAddress().isLoopbackAddress() && config.bearerToken() == null) {
            throw new IllegalStateException("refusing to serve jobs on non-loopback address "
                    + config.bindAddress().getHostAddress() + " without a bearer token: configure "
                    + "HttpConfig.builder().bearerToken(...) (clients then send Authorization: Bearer <token>), "
                    + "or bind to 127.0.0.1");
        }
        HttpServer server = HttpServer.create(new InetSocketAddress(config.bindAddress(), config.port()), 128);
        ExecutorService executor = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("weft-http-", 0).factory());
        server.setExecutor(executor);
        server.createContext("/", new JdkHttpServerAdapter(api));
        server.start();
        var s = new WeftHttpServer(api, server, executor);
        log.info("serving jobs on {}", s.uri());
        return s;
    }

    /** The bound port (the real one when the config asked for 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code http://host:port}. */
    public URI uri() {
        String host = server.getAddress().getAddress().getHostAddress();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return URI.create("http://" + host + ":" + port());
    }

    public JobApi api() {
        return api;
    }

    /** Ends the event streams, stops the server and waits (up to 5 s) for its threads. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        api.close();
        server.stop(0);
        executor.shutdownNow();
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn("some HTTP request threads did not end within 5 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
