package dev.weft.http;

import dev.weft.jobs.JobHandle;
import dev.weft.jobs.JobRecord;
import dev.weft.jobs.JobRuntime;
import dev.weft.jobs.NodeInfo;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The endpoints the dashboard needs beyond the jobs API: nodes, throughput, a job's log lines and live task tree,
 * retry and delete. {@link JobApi} routes here after its own routes, with its guard already passed.
 */
final class DashboardRoutes implements AutoCloseable {

    /*
     * Implementation notes: each route answers from the runtime on the request's thread; throughput is the one
     * piece of state (a subscription), closed with the API. A refused action (wrong state, or a runtime that does
     * not support it) answers 409 or 501 with the runtime's message, which names what is allowed.
     */

    /** The most log lines one request returns. */
    static final int MAX_LOG_LINES = 500;

    private final JobRuntime runtime;
    private final JobApi api;
    private final JobLogs logs;
    private final Throughput throughput;
    private final TaskTree tree = new TaskTree();
    /** This runtime's node id, read on first need (nodes() lists this node first). */
    private volatile String selfId;

    DashboardRoutes(JobRuntime runtime, JobApi api, JobLogs logs) {
        this.runtime = runtime;
        this.api = api;
        this.logs = logs;
        this.throughput = new Throughput(runtime, Clock.systemUTC());
    }

    /** The answer to {@code req} (path split on '/', seg[0] == "api"), or null when no route here matches. */
    ApiResponse route(ApiRequest req, String[] seg) {
        String method = req.method();
        boolean get = method.equals("GET") || method.equals("HEAD");
        if (seg.length == 2 && seg[1].equals("nodes")) {
            return get ? nodes() : api.methodNotAllowed(req, "GET");
        }
        if (seg.length == 2 && seg[1].equals("throughput")) {
            return get ? api.json(200, Map.of("time", Instant.now(), "minutes", throughput.lastHour()))
                    : api.methodNotAllowed(req, "GET");
        }
        if (seg.length < 3 || !seg[1].equals("jobs") || seg[2].isEmpty()) {
            return null;
        }
        String id = seg[2];
        if (seg.length == 3 && method.equals("DELETE")) {
            return refusable(req, () -> {
                boolean deleted = runtime.delete(id);
                logs.forget(id);
                return api.json(200, Map.of("id", id, "deleted", deleted));
            });
        }
        if (seg.length != 4) {
            return null;
        }
        return switch (seg[3]) {
            case "retry" -> method.equals("POST") ? refusable(req, () -> {
                // the same job, queued again: its URL does not change
                JobHandle<?> again = runtime.retry(id);
                return api.json(200, again.record()).withHeader("Location", req.mount() + "/api/jobs/" + id);
            }) : api.methodNotAllowed(req, "POST");
            case "logs" -> get ? logs(req, id) : api.methodNotAllowed(req, "GET");
            case "tree" -> get ? tree(id) : api.methodNotAllowed(req, "GET");
            default -> null;
        };
    }

    private interface Action {
        ApiResponse run();
    }

    private ApiResponse refusable(ApiRequest req, Action action) {
        try {
            return action.run();
        } catch (IllegalStateException e) {
            return api.error(409, e.getMessage(), req.path());
        } catch (UnsupportedOperationException e) {
            return api.error(501, e.getMessage(), req.path());
        } catch (dev.weft.jobs.JobRejectedException e) {
            return api.error(503, e.getMessage(), req.path()).withHeader("Retry-After", "5");
        }
    }

    private ApiResponse nodes() {
        Instant now = Instant.now();
        var out = new ArrayList<Map<String, Object>>();
        for (NodeInfo n : runtime.nodes()) {
            var m = new LinkedHashMap<String, Object>();
            m.put("id", n.id());
            m.put("name", n.name());
            m.put("state", n.state());
            m.put("version", n.version());
            m.put("startedAt", n.startedAt());
            m.put("heartbeatAt", n.heartbeatAt());
            m.put("heartbeatAge", n.heartbeatAge(now));
            m.put("running", n.running());
            m.put("queued", n.queued());
            out.add(m);
        }
        return api.json(200, Map.of("time", now, "nodes", out));
    }

    private ApiResponse logs(ApiRequest req, String id) {
        var record = runtime.get(id); // 404 for an unknown job
        int limit = JobApi.intParam(req, "limit", 100, 1, MAX_LOG_LINES);
        var body = new LinkedHashMap<String, Object>();
        body.put("id", id);
        body.put("capturing", logs.fed());
        var lines = logs.lines(id, limit);
        body.put("lines", lines);
        if (lines.isEmpty()) {
            body.put("runsOn", otherNode(record));
        }
        return api.json(200, body);
    }

    private ApiResponse tree(String id) {
        var record = runtime.get(id); // 404 for an unknown job
        Instant now = Instant.now();
        var body = new LinkedHashMap<String, Object>();
        body.put("id", id);
        body.put("time", now);
        body.put("state", record.state());
        var root = tree.of(id, runtime.scopes(), now);
        body.put("root", root);
        if (root == null) {
            body.put("runsOn", otherNode(record));
        }
        return api.json(200, body);
    }

    /**
     * The name of the node running the job when that is not this one (its scopes and log lines are there), else
     * null. Reads the nodes only then.
     */
    private String otherNode(JobRecord record) {
        String node = record.node();
        if (node == null) {
            return null;
        }
        String self = selfId;
        if (self == null) {
            selfId = self = runtime.nodes().getFirst().id();
        }
        if (node.equals(self)) {
            return null;
        }
        return runtime.nodes().stream().filter(n -> n.id().equals(node)).map(NodeInfo::name).findFirst()
                .orElse(node);
    }

    @Override
    public void close() {
        throughput.close();
    }
}
