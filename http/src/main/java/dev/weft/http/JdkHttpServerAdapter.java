package dev.weft.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Hosts a {@link JobApi} in the JDK's {@code com.sun.net.httpserver.HttpServer}: copies the request in, the
 * response out, and pushes event streams on the exchange's own thread (run the server on virtual threads).
 *
 * <pre>{@code
 * server.createContext("/", new JdkHttpServerAdapter(api));
 * server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
 * }</pre>
 *
 * <p>Mounted on a context other than {@code /} (say {@code server.createContext("/weft/", adapter)}), it hands
 * the API paths without that prefix ({@code /weft/api/jobs} is {@code /api/jobs}), puts the prefix back on the
 * links the API answers with (a new job's {@code Location}), and redirects {@code /weft} to {@code /weft/}, so
 * that the dashboard's relative URLs resolve under the prefix.
 */
public final class JdkHttpServerAdapter implements HttpHandler {

    /** Request bodies larger than this are refused with 413. */
    static final int MAX_BODY = 64 * 1024;

    private final JobApi api;

    public JdkHttpServerAdapter(JobApi api) {
        this.api = api;
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readNBytes(MAX_BODY + 1);
            }
            ApiResponse resp;
            String path = ex.getRequestURI().getPath();
            String prefix = ex.getHttpContext().getPath();
            prefix = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
            if (!prefix.isEmpty() && path.equals(prefix)) {
                ex.getResponseHeaders().set("Location", prefix + "/");
                ex.sendResponseHeaders(301, -1);
                return;
            }
            String mount = "";
            if (!prefix.isEmpty() && path.startsWith(prefix + "/")) {
                path = path.substring(prefix.length());
                mount = prefix;
            }
            if (body.length > MAX_BODY) {
                resp = api.error(413, "request body larger than " + MAX_BODY + " bytes", path);
            } else {
                ApiRequest req;
                try {
                    req = new ApiRequest(ex.getRequestMethod(), path,
                            QueryString.parse(ex.getRequestURI().getRawQuery()), ex.getRequestHeaders(), body, mount);
                    resp = api.handle(req);
                } catch (BadRequest e) {
                    resp = api.error(400, e.getMessage(), path);
                }
            }
            for (Map.Entry<String, String> h : resp.headers().entrySet()) {
                ex.getResponseHeaders().set(h.getKey(), h.getValue());
            }
            if (resp.stream() != null) {
                stream(ex, resp.stream());
                return;
            }
            boolean noBody = resp.body().length == 0 || ex.getRequestMethod().equals("HEAD") || resp.status() == 204;
            ex.sendResponseHeaders(resp.status(), noBody ? -1 : resp.body().length);
            if (!noBody) {
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(resp.body());
                }
            }
        }
    }

    private static void stream(HttpExchange ex, SseStream stream) throws IOException {
        try (stream) {
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            var sink = new ExchangeSink(out, Thread.currentThread());
            try {
                stream.pushTo(sink);
            } finally {
                sink.done();
            }
        } catch (IOException e) {
            // client gone, too slow, or server closing: the stream is over either way
        } finally {
            Thread.interrupted(); // a disconnect's interrupt: let close() write the last chunk if the socket can
        }
    }

    /**
     * Writes frames to the exchange. The JDK server offers no way to abort an exchange from another thread, so
     * {@link #disconnect()} interrupts the exchange's own thread (this adapter's, busy only with this stream),
     * which closes the socket channel a blocked write waits on; after {@link #done()} it does nothing.
     */
    private static final class ExchangeSink implements SseSink {
        private final OutputStream out;
        private final Thread writer;
        private boolean done;

        ExchangeSink(OutputStream out, Thread writer) {
            this.out = out;
            this.writer = writer;
        }

        @Override
        public void send(String frame) throws IOException {
            out.write(frame.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        @Override
        public synchronized void disconnect() {
            if (!done) {
                writer.interrupt();
            }
        }

        synchronized void done() {
            done = true;
        }
    }
}
