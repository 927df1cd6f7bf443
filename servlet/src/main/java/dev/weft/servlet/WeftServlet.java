package dev.weft.servlet;

import dev.weft.http.ApiRequest;
import dev.weft.http.ApiResponse;
import dev.weft.http.JobApi;
import dev.weft.http.SseSink;
import dev.weft.http.SseStream;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Serves a {@link JobApi} (the jobs API, its event streams and the dashboard) from any Jakarta Servlet 6
 * container, under a path of the application's choosing. Every request under the mapping goes to the API; the
 * path the API sees is the part after the mapping, so {@code /weft/api/jobs} is the API's {@code /api/jobs}.
 * {@code /weft} itself is redirected to {@code /weft/}, where the dashboard's relative links work.
 *
 * <pre>{@code
 * ServletRegistration.Dynamic weft = servletContext.addServlet("weft", new WeftServlet(api));
 * weft.addMapping("/weft/*");
 * weft.setAsyncSupported(true);          // event streams are asynchronous responses
 * }</pre>
 *
 * <p>Event streams are asynchronous: the container's request thread is released at once and a virtual thread
 * of this servlet pushes the frames ({@link SseStream#pushTo}), blocking while the client is slow. A client that
 * falls too far behind is disconnected; a client that goes away is noticed at the next event or heartbeat, or
 * when the container reports it.
 *
 * <p>Access: the API's own guard applies (Host, origin and content type of writes, the bearer token when the
 * {@link dev.weft.http.HttpConfig} has one). On top of it, with {@link Access#LOOPBACK_UNLESS_TOKEN} (the
 * default), a request from a non-loopback address is refused with 403 unless a token is configured: nothing is
 * open to the network by accident. An application that authorizes requests itself, before they reach the
 * servlet (Spring Security, a filter), says so with {@link Access#APPLICATION_AUTHORIZES}.
 *
 * <p>Shutdown: close the runtime first, then {@link JobApi#finishEventStreams()} (open streams send the
 * runtime's last events and end), then let the container destroy the servlet, which ends any stream left and
 * waits for its threads.
 */
public final class WeftServlet extends HttpServlet {

    /*
     * Implementation notes: a request is copied into an ApiRequest (path = pathInfo, mount = context path +
     * servlet path), answered by JobApi.handle, and copied out. An event stream starts async processing with no
     * timeout, commits the headers, and hands the SseStream to a virtual thread of `pushers`, which pushes it to
     * an AsyncSink and then completes the async context. The sink's disconnect interrupts that thread (the
     * servlet's own, busy with this stream only), which aborts a blocked servlet write; the container's threads
     * are never interrupted. The AsyncListener closes the stream when the container ends the request (error,
     * timeout, completion). `open` tracks live streams so destroy() can end them.
     */

    private static final long serialVersionUID = 1L;
    private static final Logger log = LoggerFactory.getLogger(WeftServlet.class);
    /** Request bodies larger than this are refused with 413. */
    static final int MAX_BODY = 64 * 1024;
    private static final Duration DESTROY_GRACE = Duration.ofSeconds(5);

    /** Who may reach the API through this servlet, beyond the API's own guard. */
    public enum Access {
        /** Loopback clients only, unless the API's config has a bearer token (then the token decides). */
        LOOPBACK_UNLESS_TOKEN,
        /** Any client: the application authorizes requests before they reach the servlet. */
        APPLICATION_AUTHORIZES
    }

    private final transient JobApi api;
    private final Access access;
    private final transient ExecutorService pushers =
            Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("weft-servlet-sse-", 0).factory());
    private final transient Set<SseStream> open = ConcurrentHashMap.newKeySet();
    private volatile boolean destroyed;

    /** Serves {@code api} to loopback clients, or to anyone with its token ({@link Access#LOOPBACK_UNLESS_TOKEN}). */
    public WeftServlet(JobApi api) {
        this(api, Access.LOOPBACK_UNLESS_TOKEN);
    }

    /** Serves {@code api} with the given access rule. */
    public WeftServlet(JobApi api, Access access) {
        this.api = Objects.requireNonNull(api, "api");
        this.access = Objects.requireNonNull(access, "access");
    }

    /** Who may reach the API through this servlet. */
    public Access access() {
        return access;
    }

    /** The API served. */
    public JobApi api() {
        return api;
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String mount = req.getContextPath() + req.getServletPath();
        String path = req.getPathInfo();
        if (path == null || path.isEmpty()) {
            String q = req.getQueryString();
            resp.sendRedirect(mount + "/" + (q == null ? "" : "?" + q));
            return;
        }
        if (mount.endsWith("/")) {
            mount = mount.substring(0, mount.length() - 1);
        }
        ApiResponse answer;
        if (destroyed) {
            answer = api.error(503, "the server is stopping", path).withHeader("Retry-After", "5");
        } else if (!allowed(req)) {
            answer = api.error(403, "this API is served to loopback clients only; configure a bearer token "
                    + "(HttpConfig.builder().bearerToken(...)) or authorize requests in the application "
                    + "(WeftServlet.Access.APPLICATION_AUTHORIZES)", path);
        } else {
            byte[] body;
            try (InputStream in = req.getInputStream()) {
                body = in.readNBytes(MAX_BODY + 1);
            }
            if (body.length > MAX_BODY) {
                answer = api.error(413, "request body larger than " + MAX_BODY + " bytes", path);
            } else {
                answer = api.handle(new ApiRequest(req.getMethod(), path, query(req), headers(req), body, mount));
            }
        }
        for (Map.Entry<String, String> h : answer.headers().entrySet()) {
            resp.setHeader(h.getKey(), h.getValue());
        }
        resp.setStatus(answer.status());
        if (answer.stream() != null) {
            stream(req, resp, answer.stream());
            return;
        }
        boolean noBody = answer.body().length == 0 || req.getMethod().equals("HEAD") || answer.status() == 204;
        if (!noBody) {
            resp.setContentLength(answer.body().length);
            resp.getOutputStream().write(answer.body());
        }
    }

    private boolean allowed(HttpServletRequest req) {
        if (access == Access.APPLICATION_AUTHORIZES || api.config().bearerToken() != null) {
            return true;
        }
        try {
            return InetAddress.ofLiteral(req.getRemoteAddr()).isLoopbackAddress();
        } catch (IllegalArgumentException e) {
            try {
                return InetAddress.getByName(req.getRemoteAddr()).isLoopbackAddress();
            } catch (UnknownHostException unknown) {
                return false;
            }
        }
    }

    private static Map<String, List<String>> query(HttpServletRequest req) {
        String raw = req.getQueryString();
        return raw == null ? Map.of() : ApiRequest.of("GET", "/?" + raw).query();
    }

    private static Map<String, List<String>> headers(HttpServletRequest req) {
        var headers = new LinkedHashMap<String, List<String>>();
        for (String name : Collections.list(req.getHeaderNames())) {
            headers.put(name, Collections.list(req.getHeaders(name)));
        }
        return headers;
    }

    private void stream(HttpServletRequest req, HttpServletResponse resp, SseStream stream) throws IOException {
        AsyncContext async;
        try {
            async = req.startAsync();
        } catch (IllegalStateException notAsync) {
            stream.close();
            resp.reset();
            byte[] body = api.error(500, "event streams need an asynchronous servlet: register the servlet with "
                    + "setAsyncSupported(true), and every filter before it too", req.getPathInfo()).body();
            resp.setStatus(500);
            resp.setContentType("application/json");
            resp.getOutputStream().write(body);
            log.error("WeftServlet is not async-supported: event streams cannot be served ({})", notAsync.getMessage());
            return;
        }
        async.setTimeout(0);
        async.addListener(new AsyncListener() {
            @Override
            public void onComplete(AsyncEvent event) {
                stream.close();
            }

            @Override
            public void onTimeout(AsyncEvent event) {
                stream.close();
            }

            @Override
            public void onError(AsyncEvent event) {
                stream.close();
            }

            @Override
            public void onStartAsync(AsyncEvent event) {
            }
        });
        open.add(stream);
        try {
            resp.flushBuffer(); // the client sees the headers at once
            ServletOutputStream out = resp.getOutputStream();
            pushers.execute(() -> push(stream, out, async));
        } catch (IOException | RuntimeException e) { // client gone, or the servlet is being destroyed
            open.remove(stream);
            stream.close();
            async.complete();
        }
    }

    private void push(SseStream stream, ServletOutputStream out, AsyncContext async) {
        var sink = new AsyncSink(out, Thread.currentThread());
        try {
            stream.pushTo(sink);
        } finally {
            sink.done();
            Thread.interrupted(); // a disconnect's interrupt is spent
            open.remove(stream);
            try {
                async.complete();
            } catch (IllegalStateException alreadyEnded) {
                // the container ended the request first (client gone, error)
            }
        }
    }

    /** Frames written to the async response by this servlet's own virtual thread. */
    private static final class AsyncSink implements SseSink {
        private final ServletOutputStream out;
        private final Thread pusher;
        private boolean done;

        AsyncSink(ServletOutputStream out, Thread pusher) {
            this.out = out;
            this.pusher = pusher;
        }

        @Override
        public void send(String frame) throws IOException {
            out.write(frame.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        @Override
        public synchronized void disconnect() {
            if (!done) {
                pusher.interrupt(); // this servlet's thread for this stream only: aborts a blocked write
            }
        }

        synchronized void done() {
            done = true;
        }
    }

    /** How many event streams this servlet is pushing. */
    public int openEventStreams() {
        return open.size();
    }

    /**
     * Refuses new requests (503), ends the event streams still open and waits (up to 5 s) for their threads.
     * Does not close the API or the runtime: they belong to the application.
     */
    @Override
    public void destroy() {
        destroyed = true;
        for (SseStream s : new ArrayList<>(open)) {
            s.close();
        }
        pushers.shutdown();
        try {
            if (!pushers.awaitTermination(DESTROY_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("event stream threads had not ended {} after the servlet was destroyed", DESTROY_GRACE);
                pushers.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
