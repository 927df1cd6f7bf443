package dev.weft.http;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;

/**
 * A {@link JobApi} served over HTTP/1.1 on virtual threads.
 *
 * <pre>{@code
 * JobRuntime runtime = JobRuntime.builder().build();
 * WeftHttpServer server = WeftHttpServer.start(JobApi.builder(runtime).build());
 * ...
 * runtime.close();   // first: stop admitting, end the jobs; their last events reach the open streams
 * server.close();    // then: the streams send what is queued and end, the server stops
 * }</pre>
 *
 * <p>Security: binds to the configured address (127.0.0.1 by default). Binding to any address that is not a
 * loopback address requires a bearer token, or {@link #start} refuses with {@link IllegalStateException}.
 * Request heads are bounded (a request line of 8 KiB, 100 headers, 64 KiB in all: 414 or 431 beyond), must arrive
 * within {@link HttpConfig#headerTimeout()} (408), and bodies are at most 64 KiB (413); malformed requests get
 * the API's JSON error.
 *
 * <p>Close it after the runtime: {@link #close()} lets every open event stream send what is queued for it
 * (up to 5 s), then ends it, stops the server and waits for every connection thread.
 */
public final class WeftHttpServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WeftHttpServer.class);
    private static final Duration STREAM_GRACE = Duration.ofSeconds(5);

    private final JobApi api;
    private final ServerSocket listener;
    private final Http1Server server;
    private volatile boolean closed;

    private WeftHttpServer(JobApi api, ServerSocket listener, Http1Server server) {
        this.api = api;
        this.listener = listener;
        this.server = server;
    }

    /**
     * Starts serving {@code api} on its config's address and port.
     *
     * @throws IllegalStateException if the address is not loopback and no bearer token is configured
     * @throws IOException           if the port cannot be bound (a {@link BindException} naming the address and
     *                               port when it is in use)
     */
    public static WeftHttpServer start(JobApi api) throws IOException {
        HttpConfig config = api.config();
        if (!config.bindAddress().isLoopbackAddress() && config.bearerToken() == null) {
            throw new IllegalStateException("refusing to serve jobs on non-loopback address "
                    + config.bindAddress().getHostAddress() + " without a bearer token: configure "
                    + "HttpConfig.builder().bearerToken(...) (clients then send Authorization: Bearer <token>), "
                    + "or bind to 127.0.0.1");
        }
        var listener = new ServerSocket();
        try {
            listener.bind(new InetSocketAddress(config.bindAddress(), config.port()), 128);
        } catch (IOException e) {
            listener.close();
            String where = config.bindAddress().getHostAddress() + ":" + config.port();
            var named = new BindException("cannot listen on " + where + ": " + e.getMessage()
                    + (e instanceof BindException ? " (is another server on port " + config.port()
                    + "? stop it or choose another port; 0 picks a free one)" : ""));
            named.initCause(e);
            throw named;
        }
        var server = new Http1Server(api, listener);
        server.start();
        var s = new WeftHttpServer(api, listener, server);
        log.info("serving jobs on {}", s.uri());
        return s;
    }

    /** The bound port (the real one when the config asked for 0). */
    public int port() {
        return listener.getLocalPort();
    }

    /** {@code http://host:port}. */
    public URI uri() {
        String host = listener.getInetAddress().getHostAddress();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return URI.create("http://" + host + ":" + port());
    }

    public JobApi api() {
        return api;
    }

    /**
     * Lets the open event streams send what is queued for them and end (waiting up to 5 s), then ends any left,
     * stops the server and waits (up to 5 s) for its threads. Does not close the runtime: close that first, so
     * that its last events (the SHUTDOWN cancellations) reach the clients. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        api.finishEventStreams();
        try {
            if (!api.awaitNoEventStreams(STREAM_GRACE)) {
                log.warn("{} event streams had not ended {} after the server began closing; ending them",
                        api.openEventStreams(), STREAM_GRACE);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        api.close();
        server.close();
    }
}
