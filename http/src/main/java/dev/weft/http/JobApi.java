package dev.weft.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.jobs.JobEvent;
import dev.weft.jobs.JobPage;
import dev.weft.jobs.JobQuery;
import dev.weft.jobs.JobRecord;
import dev.weft.jobs.JobRuntime;
import dev.weft.jobs.JobState;
import dev.weft.jobs.JobType;
import dev.weft.jobs.NoSuchJobException;
import dev.weft.scope.Scope;
import dev.weft.scope.Task;
import dev.weft.scope.TaskState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.WeakHashMap;

/**
 * The jobs API over a {@link JobRuntime}, as plain request-to-response logic that any HTTP server can host
 * (see {@link JdkHttpServerAdapter} for the JDK's).
 *
 * <table>
 *   <caption>Endpoints</caption>
 *   <tr><td>GET /api/health</td><td>status (UP, or DEGRADED while a durable store is unreachable) and counts per
 *   state</td></tr>
 *   <tr><td>GET /api/jobs</td><td>a page of jobs, newest submission first; {@code state} (repeatable or comma
 *       list), {@code name}, {@code key}, {@code group}, {@code type}, {@code q} (search in name, key and id),
 *       {@code offset}, {@code limit}</td></tr>
 *   <tr><td>POST /api/jobs</td><td>submits a job of a {@linkplain Builder#submittable submittable} type:
 *       {@code {"type", "payload", "key", "priority", "group", "timeout"}}; 201 with {@code Location}, 400 naming
 *       the wrong field, 409 when the key is held by a queued or running job</td></tr>
 *   <tr><td>GET /api/types</td><td>the names of the submittable job types</td></tr>
 *   <tr><td>GET /api/jobs/{id}</td><td>one job's record</td></tr>
 *   <tr><td>POST /api/jobs/{id}/cancel</td><td>cancels it; reason from {@code {"reason":...}} or {@code ?reason=}</td></tr>
 *   <tr><td>GET /api/jobs/{id}/events</td><td>server-sent events of one job, ending after its FINISHED</td></tr>
 *   <tr><td>GET /api/events</td><td>server-sent events of every job</td></tr>
 *   <tr><td>GET /api/scopes</td><td>the live scope tree of the running jobs</td></tr>
 *   <tr><td>GET /api/jobs/{id}/tree</td><td>one running job's scopes and tasks, aggregated for the dashboard</td></tr>
 *   <tr><td>GET /api/jobs/{id}/logs</td><td>its latest log lines ({@code limit}), see {@link JobLogs}</td></tr>
 *   <tr><td>POST /api/jobs/{id}/retry</td><td>runs a failed, cancelled or timed-out job again as the same job
 *       (200 with its record and {@code Location}; 409 for another state or a key another active job holds)</td></tr>
 *   <tr><td>DELETE /api/jobs/{id}</td><td>forgets a finished job</td></tr>
 *   <tr><td>GET /api/throughput</td><td>jobs ended per minute over the last hour, by outcome</td></tr>
 *   <tr><td>GET /api/nodes</td><td>the runtime's nodes with their heartbeat age and counts</td></tr>
 * </table>
 * Errors answer {@code {"error": "...", "status": N, "path": "..."}}.
 *
 * <p>Security (see docs/http.md, Security): every request must be addressed to an allowed Host (on a loopback
 * bind: {@code localhost} or a loopback address); every request other than GET and HEAD must be sent with
 * {@code Content-Type: application/json} and, from a browser, from this server's own origin (or an allowed one);
 * with a bearer token configured, every request under {@code /api/} but {@code POST /api/login} needs
 * {@code Authorization: Bearer <token>} or the session cookie that {@code POST /api/login {"token": "..."}}
 * sets (401 without, 403 with a wrong token). Every response carries Content-Security-Policy,
 * X-Content-Type-Options and X-Frame-Options headers.
 *
 * <pre>{@code
 * JobApi api = JobApi.builder(runtime).config(HttpConfig.defaults()).build();
 * ApiResponse r = api.handle(ApiRequest.of("GET", "/api/jobs?state=RUNNING"));
 * }</pre>
 *
 * <p>Thread safety: {@link #handle} may be called from any number of threads at once.
 */
public final class JobApi implements AutoCloseable {

    /*
     * Implementation notes: routing is a small hand-written match on path segments. Application routes
     * (Builder.route) are matched first, by exact path, then method (405 for another). Every failure becomes a
     * JSON error here, so adapters only copy bytes. Event streams are produced by EventHub/SseStream; see their
     * notes for the backpressure protocol.
     */

    /**
     * An application's endpoint, added with {@link Builder#route}. It answers with the helpers it is given, so
     * its JSON and errors look like the API's own. An exception it throws becomes a 500 JSON error (logged);
     * the request is guarded before the handler runs (Host, origin and credentials, as for the API).
     */
    @FunctionalInterface
    public interface Handler {
        ApiResponse handle(ApiRequest request, Responses responses) throws Exception;
    }

    private record Route(String method, String path, Handler handler) {
    }

    private static final Logger log = LoggerFactory.getLogger(JobApi.class);
    private static final String JSON = "application/json";
    /** The longest cancel reason accepted, in characters. */
    static final int MAX_REASON = 1024;
    /** How much of a request's path or input an error message repeats. */
    private static final int MAX_ECHO = 120;
    private static final String PAGE_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
            + "frame-ancestors 'none'";
    private static final String API_POLICY = "default-src 'none'; base-uri 'none'; form-action 'none'; "
            + "frame-ancestors 'none'";

    private final JobRuntime runtime;
    private final HttpConfig config;
    private final ObjectMapper mapper;
    private final EventHub hub;
    private final RequestGuard guard;
    private final List<Route> routes;
    private final StaticFiles files;
    private final JobSubmission submission;
    private final Responses responses;
    private final DashboardRoutes dashboardRoutes;
    /** When each scope was first seen by /api/scopes (the API has no open time); weak so scopes can go. */
    private final Map<Scope<?, ?>, Instant> firstSeen = Collections.synchronizedMap(new WeakHashMap<>());

    private JobApi(Builder b) {
        this.runtime = b.runtime;
        this.config = b.config;
        this.mapper = Json.mapper(config.exposeStackTraces());
        this.routes = List.copyOf(b.routes);
        this.files = new StaticFiles(b.staticRoot, b.dashboard);
        this.submission = new JobSubmission(runtime, mapper, b.submittable);
        this.responses = new Responses(this);
        this.hub = new EventHub(runtime, mapper, config);
        this.guard = new RequestGuard(config);
        this.dashboardRoutes = new DashboardRoutes(runtime, this, b.logs);
    }

    /** Starts configuring an API over {@code runtime}. */
    public static Builder builder(JobRuntime runtime) {
        return new Builder(runtime);
    }

    /** The configuration. */
    public HttpConfig config() {
        return config;
    }

    /** The JSON mapper the API writes with (for extra routes). */
    public ObjectMapper mapper() {
        return mapper;
    }

    /** A JSON response of {@code value}, written like the API's own. */
    public ApiResponse json(int status, Object value) {
        return ApiResponse.of(status, JSON, Json.bytes(mapper, value));
    }

    /**
     * A JSON error response, with the security headers. Long messages and paths are shortened, so a client's
     * oversized input is never sent back whole.
     */
    public ApiResponse error(int status, String message, String path) {
        var body = new LinkedHashMap<String, Object>();
        body.put("error", abbreviate(message, 4 * MAX_ECHO));
        body.put("status", status);
        body.put("path", abbreviate(path, MAX_ECHO));
        return secured(json(status, body));
    }

    /** {@code s} cut to {@code max} characters, saying how many more there were. */
    static String abbreviate(String s, int max) {
        if (s == null || s.length() <= max) {
            return s;
        }
        return s.substring(0, max) + "... (" + (s.length() - max) + " more characters)";
    }

    /** {@code r} with the headers that keep browsers from sniffing, framing or running it as something else. */
    private static ApiResponse secured(ApiResponse r) {
        String type = r.headers().getOrDefault("Content-Type", "");
        return r.withHeader("X-Content-Type-Options", "nosniff")
                .withHeader("X-Frame-Options", "DENY")
                .withHeader("Referrer-Policy", "no-referrer")
                .withHeader("Content-Security-Policy", type.startsWith("text/html") ? PAGE_POLICY : API_POLICY);
    }

    /** How many event streams are open. */
    public int openEventStreams() {
        return hub.openStreams();
    }

    /** Waits until no event stream is open, at most {@code timeout}; whether none is. */
    public boolean awaitNoEventStreams(Duration timeout) throws InterruptedException {
        return hub.awaitNoStreams(timeout);
    }

    /** Answers one request. Never throws: failures become JSON errors (500 for the unexpected). */
    public ApiResponse handle(ApiRequest req) {
        try {
            return secured(guarded(req));
        } catch (BadRequest e) {
            return error(400, e.getMessage(), req.path());
        } catch (NoSuchJobException e) {
            return error(404, e.getMessage(), req.path());
        } catch (dev.weft.jobs.spi.StoreUnavailableException e) {
            return error(503, e.getMessage(), req.path()).withHeader("Retry-After", "5");
        } catch (Exception e) {
            log.warn("{} {} failed", req.method(), req.path(), e);
            return error(500, "internal error: " + e.getClass().getSimpleName(), req.path());
        }
    }

    /** The checks of {@link RequestGuard}, in order: Host, then origin for writes, then credentials. */
    private ApiResponse guarded(ApiRequest req) throws Exception {
        RequestGuard.Refusal refused = guard.checkHost(req);
        if (refused == null && !get(req)) {
            refused = guard.checkOrigin(req);
        }
        boolean api = req.path().startsWith("/api/") || req.path().equals("/api")
                || routes.stream().anyMatch(r -> r.path.equals(req.path()));
        boolean login = req.path().equals("/api/login") || req.path().equals("/api/logout");
        if (refused == null && api && !login) {
            refused = guard.checkCredentials(req);
        }
        if (refused != null) {
            ApiResponse r = error(refused.status(), refused.message(), req.path());
            return refused.status() == 401 ? r.withHeader("WWW-Authenticate", "Bearer realm=\"weft\"") : r;
        }
        return route(req);
    }

    private ApiResponse route(ApiRequest req) throws Exception {
        String path = req.path();
        if (path.equals("/api/login")) {
            return req.method().equals("POST") ? login(req) : methodNotAllowed(req, "POST");
        }
        if (path.equals("/api/logout")) {
            return req.method().equals("POST") ? logout() : methodNotAllowed(req, "POST");
        }
        for (Route r : routes) {
            if (r.path.equals(path)) {
                List<String> allowed = routes.stream().filter(x -> x.path.equals(path)).map(Route::method).toList();
                Route match = routes.stream().filter(x -> x.path.equals(path) && x.method.equals(req.method()))
                        .findFirst().orElse(null);
                if (match == null) {
                    return methodNotAllowed(req, allowed.toArray(String[]::new));
                }
                return match.handler.handle(req, responses);
            }
        }
        if (!path.startsWith("/api/") && !path.equals("/api")) {
            return staticResource(req);
        }
        String[] seg = path.substring(1).split("/", -1);
        // seg[0] == "api"
        if (seg.length == 2) {
            switch (seg[1]) {
                case "health":
                    return get(req) ? health() : methodNotAllowed(req, "GET");
                case "jobs":
                    if (req.method().equals("POST")) {
                        return submission.submit(req, this);
                    }
                    return get(req) ? list(req) : methodNotAllowed(req, "GET", "POST");
                case "types":
                    return get(req) ? json(200, Map.of("types", submission.typeNames()))
                            : methodNotAllowed(req, "GET");
                case "events":
                    return get(req) ? events(req, null) : methodNotAllowed(req, "GET");
                case "scopes":
                    return get(req) ? scopes() : methodNotAllowed(req, "GET");
                default:
                    break;
            }
        } else if (seg.length >= 3 && seg[1].equals("jobs") && !seg[2].isEmpty()) {
            String id = seg[2];
            if (seg.length == 3 && !req.method().equals("DELETE")) {
                return get(req) ? json(200, runtime.get(id)) : methodNotAllowed(req, "GET", "DELETE");
            }
            if (seg.length == 4 && seg[3].equals("cancel")) {
                return req.method().equals("POST") ? cancel(req, id) : methodNotAllowed(req, "POST");
            }
            if (seg.length == 4 && seg[3].equals("events")) {
                return get(req) ? events(req, id) : methodNotAllowed(req, "GET");
            }
        }
        ApiResponse more = dashboardRoutes.route(req, seg);
        return more != null ? more : error(404, "no such endpoint: " + path, path);
    }

    private static boolean get(ApiRequest req) {
        return req.method().equals("GET") || req.method().equals("HEAD");
    }

    ApiResponse methodNotAllowed(ApiRequest req, String... allowed) {
        return error(405, "method " + req.method() + " not allowed here; allowed: " + String.join(", ", allowed),
                req.path()).withHeader("Allow", String.join(", ", allowed));
    }

    private ApiResponse health() {
        var body = new LinkedHashMap<String, Object>();
        JobRuntime.Health health = runtime.health();
        body.put("status", health.status().name());
        if (!health.detail().isEmpty()) {
            body.put("detail", health.detail());
        }
        body.put("time", Instant.now());
        try {
            body.put("counts", runtime.counts());
        } catch (RuntimeException unreadable) { // a durable store that cannot be reached: say so, do not fail
            body.put("status", JobRuntime.Health.Status.DEGRADED.name());
            body.put("detail", "the job store cannot be read: " + unreadable.getMessage());
        }
        body.put("eventStreams", hub.openStreams());
        body.put("heartbeat", config.heartbeat());
        return json(200, body);
    }

    private ApiResponse list(ApiRequest req) {
        var states = EnumSet.noneOf(JobState.class);
        for (String v : req.params("state")) {
            for (String s : v.split(",")) {
                if (s.isBlank()) {
                    continue;
                }
                try {
                    states.add(JobState.valueOf(s.trim().toUpperCase(Locale.ROOT)));
                } catch (IllegalArgumentException e) {
                    throw new BadRequest("unknown state '" + abbreviate(s.trim(), MAX_ECHO) + "'; one of "
                            + List.of(JobState.values()));
                }
            }
        }
        int offset = intParam(req, "offset", 0, 0, Integer.MAX_VALUE);
        int limit = intParam(req, "limit", 100, 1, JobQuery.MAX_LIMIT);
        String search = req.param("q").orElse(null);
        if (search != null && search.length() > JobQuery.MAX_SEARCH) {
            throw new BadRequest("q must be at most " + JobQuery.MAX_SEARCH + " characters, was " + search.length());
        }
        var query = new JobQuery(states, req.param("name").orElse(null), req.param("key").orElse(null),
                req.param("group").orElse(null), req.param("type").orElse(null), search, offset, limit);
        JobPage page = runtime.list(query);
        return json(200, page);
    }

    static int intParam(ApiRequest req, String name, int dflt, int min, int max) {
        String v = req.param(name).orElse(null);
        if (v == null) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n < min || n > max) {
                throw new BadRequest(name + " must be between " + min + " and " + max + ", was " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new BadRequest(name + " must be an integer, was '" + abbreviate(v, MAX_ECHO) + "'");
        }
    }

    /** The request's body as a JSON object (empty when there is no body); 400 for anything else. */
    private JsonNode objectBody(ApiRequest req, String example) {
        if (req.body().length == 0) {
            return mapper.createObjectNode();
        }
        JsonNode body;
        try {
            body = mapper.readTree(req.body());
        } catch (IOException e) {
            throw new BadRequest("body must be one JSON object like " + example + ": "
                    + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage()
                    : e.getMessage()));
        }
        if (body == null || !body.isObject()) {
            throw new BadRequest("body must be a JSON object like " + example);
        }
        return body;
    }

    private ApiResponse login(ApiRequest req) {
        JsonNode body = objectBody(req, "{\"token\": \"...\"}");
        if (!guard.tokenRequired()) {
            return json(200, Map.of("tokenRequired", false));
        }
        JsonNode token = body.get("token");
        if (token == null || !token.isTextual()) {
            throw new BadRequest("body must carry the token as a string: {\"token\": \"...\"}");
        }
        if (!guard.tokenMatches(token.asText())) {
            return error(403, "wrong token", req.path());
        }
        return json(200, Map.of("tokenRequired", true)).withHeader("Set-Cookie", RequestGuard.COOKIE + "="
                + guard.newSession(System.currentTimeMillis()) + "; Path=/; HttpOnly; SameSite=Strict; Max-Age="
                + RequestGuard.SESSION.toSeconds());
    }

    private ApiResponse logout() {
        return new ApiResponse(204, Map.of(), null, null).withHeader("Set-Cookie", RequestGuard.COOKIE
                + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    }

    private ApiResponse cancel(ApiRequest req, String id) {
        String reason = req.param("reason").orElse(null);
        JsonNode body = objectBody(req, "{\"reason\": \"...\"}");
        if (body.hasNonNull("reason")) {
            if (!body.get("reason").isTextual()) {
                throw new BadRequest("reason must be a string");
            }
            reason = body.get("reason").asText();
        }
        if (reason != null && reason.length() > MAX_REASON) {
            throw new BadRequest("reason is " + reason.length() + " characters long; at most " + MAX_REASON
                    + " are allowed");
        }
        if (reason == null || reason.isBlank()) {
            reason = "cancelled over HTTP";
        }
        boolean cancelled = runtime.cancel(id, reason);
        var out = new LinkedHashMap<String, Object>();
        out.put("id", id);
        out.put("cancelled", cancelled);
        out.put("job", runtime.find(id).orElse(null));
        return json(200, out);
    }

    private ApiResponse events(ApiRequest req, String jobId) {
        Long lastId = null;
        String raw = req.header("Last-Event-ID").orElse(req.param("lastEventId").orElse(null));
        if (raw != null && !raw.isBlank()) {
            try {
                lastId = Long.parseLong(raw.trim());
            } catch (NumberFormatException e) {
                throw new BadRequest("Last-Event-ID must be an event id (a number), was '" + abbreviate(raw, MAX_ECHO)
                        + "'");
            }
        }
        boolean finished = false;
        String fallback = null;
        if (jobId != null) {
            JobRecord rec = runtime.get(jobId); // 404 if unknown
            finished = rec.state().isTerminal();
            if (finished) {
                fallback = hub.frame(new JobEvent(0, JobEvent.Type.FINISHED, rec));
            }
        }
        return switch (hub.open(jobId, lastId, finished, fallback)) {
            case EventHub.Stream s -> ApiResponse.events(s.stream());
            case EventHub.Full f -> error(503, "too many event streams open (limit " + config.maxEventStreams()
                    + "); retry later", req.path()).withHeader("Retry-After", "5");
            case EventHub.NothingMore n -> secured(new ApiResponse(204, Map.of(), null, null));
        };
    }

    private ApiResponse scopes() {
        var roots = new ArrayList<Map<String, Object>>();
        Instant now = Instant.now();
        for (Scope<?, ?> s : runtime.scopes()) {
            roots.add(describe(s, now, 0));
        }
        var body = new LinkedHashMap<String, Object>();
        body.put("time", now);
        body.put("scopes", roots);
        return json(200, body);
    }

    private Map<String, Object> describe(Scope<?, ?> s, Instant now, int depth) {
        var m = new LinkedHashMap<String, Object>();
        m.put("name", s.name());
        m.put("path", s.path());
        m.put("state", s.state());
        Instant seen = firstSeen.computeIfAbsent(s, x -> now);
        m.put("age", Duration.between(seen, now));
        m.put("remaining", s.remaining().orElse(null));
        m.put("maxConcurrency", s.maxConcurrency());
        m.put("cancellationReason", s.cancellationReason().map(Object::toString).orElse(null));
        m.put("progress", s.progress().snapshot());
        List<? extends Task<?>> tasks = s.tasks();
        var byState = new EnumMap<TaskState, Integer>(TaskState.class);
        for (Task<?> t : tasks) {
            byState.merge(t.state(), 1, Integer::sum);
        }
        var summary = new LinkedHashMap<String, Object>();
        summary.put("total", tasks.size());
        summary.put("byState", byState);
        if (tasks.size() <= 20) {
            summary.put("tasks", tasks.stream().map(t -> Map.of("name", t.name(), "state", t.state())).toList());
        }
        m.put("tasks", summary);
        var children = new ArrayList<Map<String, Object>>();
        if (depth < 32) {
            for (Scope<?, ?> c : s.children()) {
                children.add(describe(c, now, depth + 1));
            }
        }
        m.put("children", children);
        return m;
    }

    private ApiResponse staticResource(ApiRequest req) throws IOException {
        if (!files.serves()) {
            return error(404, "no such endpoint: " + req.path(), req.path());
        }
        if (!get(req)) {
            return methodNotAllowed(req, "GET");
        }
        if (!StaticFiles.acceptable(req.path())) {
            return error(400, "bad path", req.path());
        }
        StaticFiles.File file = files.find(req.path());
        if (file == null) {
            return error(404, "not found: " + req.path(), req.path());
        }
        return ApiResponse.of(200, file.contentType(), file.bytes()).withHeader("Cache-Control", "no-cache");
    }

    /**
     * Stops listening to the runtime and lets every open event stream send what is queued for it, then end;
     * new streams are refused. For a server stopping after its runtime closed, so that clients receive the
     * runtime's last events. {@link #close()} afterwards ends any stream still open.
     */
    public void finishEventStreams() {
        hub.finish();
    }

    /** Ends every open event stream and stops listening to the runtime. Does not close the runtime. */
    @Override
    public void close() {
        try {
            hub.close();
        } finally {
            dashboardRoutes.close();
        }
    }

    /** Configures a {@link JobApi}; not thread-safe. */
    public static final class Builder {
        private final JobRuntime runtime;
        private HttpConfig config = HttpConfig.defaults();
        private final List<Route> routes = new ArrayList<>();
        private String staticRoot;
        private final List<JobType<?, ?>> submittable = new ArrayList<>();
        private boolean dashboard = true;
        private JobLogs logs = JobLogs.shared();

        Builder(JobRuntime runtime) {
            this.runtime = Objects.requireNonNull(runtime, "runtime");
        }

        public Builder config(HttpConfig config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        /**
         * Adds an endpoint at exactly {@code path} (matched before the built-in ones). It is guarded like the
         * API's own: Host, origin and content type for methods other than GET and HEAD, and the bearer token.
         *
         * <pre>{@code
         * .route("GET", "/api/quote", (req, res) -> res.json(200, quote(req.param("item").orElse("book"))))
         * }</pre>
         *
         * @throws IllegalArgumentException if {@code path} does not start with '/', or the method and path are
         *                                  already routed
         */
        public Builder route(String method, String path, Handler handler) {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(handler, "handler");
            if (!path.startsWith("/") || path.contains("?")) {
                throw new IllegalArgumentException("a route's path must start with '/' and have no query, such as"
                        + " /api/quote; was '" + path + "'");
            }
            String m = method.toUpperCase(Locale.ROOT);
            if (routes.stream().anyMatch(r -> r.method.equals(m) && r.path.equals(path))) {
                throw new IllegalArgumentException(m + " " + path + " is routed twice");
            }
            routes.add(new Route(m, path, handler));
            return this;
        }

        /**
         * Lets clients submit jobs of these types with {@code POST /api/jobs} (no type is submittable unless
         * named here). Each must also be {@linkplain JobRuntime.Builder#register registered} on the runtime.
         * A payload is read from JSON into the type's payload class: unknown fields, missing fields and values
         * of the wrong kind are refused with 400 naming the field.
         */
        public Builder submittable(JobType<?, ?>... types) {
            for (JobType<?, ?> t : types) {
                submittable.add(Objects.requireNonNull(t, "job type"));
            }
            return this;
        }

        /** As {@link #submittable(JobType[])}. */
        public Builder submittable(java.util.Collection<? extends JobType<?, ?>> types) {
            return submittable(types.toArray(JobType<?, ?>[]::new));
        }

        /**
         * Serves GET requests outside {@code /api/} from resources under {@code root} ({@code /} is index.html),
         * found by the class loader that loaded Weft: on the class path, or in a module on the module path (a
         * module's resources under a package name only if the module opens that package). A file found there
         * wins over the dashboard's file of the same name; the dashboard loads an {@code extension.js} found
         * there as an ES module (see docs/dashboard.md).
         *
         * @param root an absolute resource path, such as {@code /com/example/web}
         * @throws IllegalArgumentException if {@code root} does not start with {@code /}
         */
        public Builder staticResources(String root) {
            if (!root.startsWith("/")) {
                throw new IllegalArgumentException("static resource root must be an absolute resource path starting"
                        + " with '/', such as /com/example/web, was: " + root);
            }
            this.staticRoot = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
            return this;
        }

        /**
         * Whether GET requests outside {@code /api/} serve Weft's dashboard (default: yes). The page uses relative
         * URLs only, so it works wherever the API is mounted ({@code /}, or {@code /weft/} behind an adapter that
         * strips that prefix).
         */
        public Builder dashboard(boolean serve) {
            this.dashboard = serve;
            return this;
        }

        /**
         * Where {@code GET /api/jobs/{id}/logs} reads jobs' log lines (default {@link JobLogs#shared()}, which
         * {@link dev.weft.http.logback.JobLogAppender} feeds).
         */
        public Builder jobLogs(JobLogs logs) {
            this.logs = Objects.requireNonNull(logs, "logs");
            return this;
        }

        public JobApi build() {
            return new JobApi(this);
        }
    }
}
