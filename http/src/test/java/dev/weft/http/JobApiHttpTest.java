package dev.weft.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.jobs.JobHandle;
import dev.weft.jobs.JobRuntime;
import dev.weft.jobs.JobSpec;
import dev.weft.jobs.JobState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The API against the real JDK server on a loopback ephemeral port, with java.net.http as the client. */
class JobApiHttpTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    private JobRuntime runtime;
    private WeftHttpServer server;
    private HttpClient http;
    private final List<CountDownLatch> gates = new ArrayList<>();

    private void start(UnaryOperator<HttpConfig.Builder> config) throws IOException {
        start(config, api -> api);
    }

    private void start(UnaryOperator<HttpConfig.Builder> config, UnaryOperator<JobApi.Builder> apiOptions)
            throws IOException {
        runtime = JobRuntime.builder().progressInterval(Duration.ofMillis(20)).shutdownGrace(Duration.ZERO).build();
        var api = apiOptions.apply(JobApi.builder(runtime)
                .config(config.apply(HttpConfig.builder().port(0).heartbeat(Duration.ofSeconds(30))).build()))
                .build();
        server = WeftHttpServer.start(api);
        http = HttpClient.newBuilder().connectTimeout(WAIT).build();
    }

    private void start() throws IOException {
        start(b -> b);
    }

    @AfterEach
    void stopEverything() throws Exception {
        gates.forEach(CountDownLatch::countDown);
        if (http != null) {
            http.close();
        }
        if (server != null) {
            server.close();
            assertThat(server.api().openEventStreams()).isZero();
        }
        if (runtime != null) {
            runtime.close();
        }
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().startsWith("weft-http-"));
    }

    /** A job that reports {@code steps} progress units, then waits for its gate. */
    private JobHandle<String> gatedJob(String name, int steps) {
        var gate = new CountDownLatch(1);
        gates.add(gate);
        return runtime.submit(JobSpec.named(name).key(name + "-" + gates.size()).body(String.class, ctx -> {
            ctx.progress().setTotal(steps + 1);
            for (int i = 0; i < steps; i++) {
                ctx.progress().advance();
                Thread.sleep(30);
            }
            gate.await();
            ctx.progress().advance();
            return "done";
        }));
    }

    private HttpResponse<String> send(String method, String path, String body, String... headers)
            throws IOException, InterruptedException {
        var b = HttpRequest.newBuilder(server.uri().resolve(path)).timeout(WAIT)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            b.headers(headers);
        }
        boolean typed = false;
        for (int i = 0; i < headers.length; i += 2) {
            typed |= headers[i].equalsIgnoreCase("Content-Type");
        }
        if (!method.equals("GET") && !typed) {
            b.header("Content-Type", "application/json");
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send("GET", path, null);
    }

    private static JsonNode json(HttpResponse<String> r) throws IOException {
        return JSON.readTree(r.body());
    }

    private void assertError(HttpResponse<String> r, int status) throws IOException {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        JsonNode body = json(r);
        assertThat(body.get("status").asInt()).isEqualTo(status);
        assertThat(body.get("error").asText()).isNotBlank();
    }

    @Test
    void staticResourcesAreServedWithIndexHtmlAtTheRootAndTheApiStillAnswers() throws Exception {
        start(b -> b, api -> api.staticResources("/web-root/"));

        var index = get("/");
        assertThat(index.statusCode()).isEqualTo(200);
        assertThat(index.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(index.body()).contains("Served by JobApi's static resources.");
        assertThat(get("/index.html").body()).isEqualTo(index.body());
        assertError(get("/missing.html"), 404);
        assertError(get("/../web-root/index.html"), 400);
        assertThat(json(get("/api/jobs")).get("total").asInt()).isZero();
    }

    @Test
    void aStaticRootThatIsNotAnAbsoluteResourcePathIsRejected() throws Exception {
        start();
        var builder = JobApi.builder(runtime);

        assertThatThrownBy(() -> builder.staticResources("web-root"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("starting with '/'")
                .hasMessageContaining("was: web-root");
    }

    @Test
    void jobRecordIsServedWithCoreFieldNamesAndIsoTimestamps() throws Exception {
        start();
        var h = runtime.submit("hello", ctx -> "world");
        h.await();

        JsonNode job = json(get("/api/jobs/" + h.id()));

        assertThat(job.get("id").asText()).isEqualTo(h.id());
        assertThat(job.get("name").asText()).isEqualTo("hello");
        assertThat(job.get("state").asText()).isEqualTo("SUCCEEDED");
        assertThat(job.get("result").asText()).isEqualTo("world");
        assertThat(Instant.parse(job.get("submittedAt").asText())).isBeforeOrEqualTo(Instant.now());
        assertThat(Instant.parse(job.get("finishedAt").asText())).isBeforeOrEqualTo(Instant.now());
        assertThat(job.get("progress").get("fraction").asDouble()).isEqualTo(1.0);
        assertThat(job.get("progress").has("done")).isTrue();
        assertThat(job.get("progress").get("eta").asText()).isEqualTo("PT0S");
    }

    @Test
    void aFailedJobsProgressIsServedAsTheWorkDoneWithItsStateNotComplete() throws Exception {
        start();
        var h = runtime.submit("import", ctx -> {
            ctx.progress().setTotal(100);
            ctx.progress().advance(3);
            throw new IllegalStateException("row 4 is broken");
        });
        h.awaitCompletion(Duration.ofSeconds(10));

        JsonNode progress = json(get("/api/jobs/" + h.id())).get("progress");

        assertThat(progress.get("fraction").asDouble()).isEqualTo(0.03);
        assertThat(progress.get("complete").asBoolean()).isFalse();
        assertThat(progress.get("state").asText()).isEqualTo("FAILED");
    }

    @Test
    void listFiltersByStateNameAndKeyAndPages() throws Exception {
        start();
        for (int i = 0; i < 5; i++) {
            runtime.submit(JobSpec.named("quick").key("q" + i).body(Integer.class, ctx -> 1)).await();
        }
        var running = gatedJob("slow", 0);

        JsonNode all = json(get("/api/jobs"));
        JsonNode done = json(get("/api/jobs?state=SUCCEEDED,FAILED&name=quick"));
        JsonNode repeated = json(get("/api/jobs?state=running&state=QUEUED"));
        JsonNode byKey = json(get("/api/jobs?key=q3"));
        JsonNode page = json(get("/api/jobs?name=quick&offset=1&limit=2"));

        assertThat(all.get("total").asInt()).isEqualTo(6);
        assertThat(done.get("total").asInt()).isEqualTo(5);
        assertThat(repeated.get("jobs").get(0).get("id").asText()).isEqualTo(running.id());
        assertThat(byKey.get("jobs")).hasSize(1);
        assertThat(page.get("jobs")).hasSize(2);
        assertThat(page.get("offset").asInt()).isEqualTo(1);
        assertThat(page.get("limit").asInt()).isEqualTo(2);
    }

    @Test
    void malformedQueryParametersAnswer400() throws Exception {
        start();
        for (String q : List.of("limit=0", "limit=1001", "limit=ten", "offset=-1", "offset=x", "state=SLEEPING",
                "state=RUNNING,bogus")) {
            assertError(get("/api/jobs?" + q), 400);
        }
        assertError(get("/api/events?lastEventId=abc"), 400);
    }

    @Test
    void unknownJobAnswers404Everywhere() throws Exception {
        start();
        assertError(get("/api/jobs/nope"), 404);
        assertError(send("POST", "/api/jobs/nope/cancel", null), 404);
        assertError(get("/api/jobs/nope/events"), 404);
        assertError(get("/api/nothing-here"), 404);
    }

    @Test
    void wrongMethodAnswers405WithAllow() throws Exception {
        start();
        var h = runtime.submit("x", ctx -> 1);
        var onCancel = send("GET", "/api/jobs/" + h.id() + "/cancel", null);
        var onJobs = send("DELETE", "/api/jobs", null);

        assertError(onCancel, 405);
        assertThat(onCancel.headers().firstValue("Allow")).hasValue("POST");
        assertError(onJobs, 405);
        assertThat(onJobs.headers().firstValue("Allow")).hasValue("GET, POST");
    }

    @Test
    void cancelEndsARunningJobWithTheGivenReason() throws Exception {
        start();
        var h = gatedJob("victim", 0);
        awaitState(h.id(), JobState.RUNNING);

        var r = send("POST", "/api/jobs/" + h.id() + "/cancel", "{\"reason\":\"operator said so\"}",
                "Content-Type", "application/json");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r).get("cancelled").asBoolean()).isTrue();
        assertThat(h.awaitCompletion(WAIT)).isTrue();
        JsonNode job = json(get("/api/jobs/" + h.id()));
        assertThat(job.get("state").asText()).isEqualTo("CANCELLED");
        assertThat(job.get("cancellationReason").get("detail").asText()).contains("operator said so");
        assertError(send("POST", "/api/jobs/" + h.id() + "/cancel", "[1,2"), 400);
        assertError(send("POST", "/api/jobs/" + h.id() + "/cancel", "{}", "Content-Type", "text/plain"), 415);
    }

    @Test
    void bearerTokenGuardsReadsStreamsAndWrites() throws Exception {
        start(b -> b.bearerToken("s3cret"));
        var h = gatedJob("guarded", 0);

        var none = send("POST", "/api/jobs/" + h.id() + "/cancel", null);
        var wrong = send("POST", "/api/jobs/" + h.id() + "/cancel", null, "Authorization", "Bearer nope");
        var readWithout = get("/api/jobs/" + h.id());
        var listWithout = get("/api/jobs");
        var streamWithout = http.send(HttpRequest.newBuilder(server.uri().resolve("/api/events")).timeout(WAIT).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        streamWithout.body().close();
        var read = send("GET", "/api/jobs/" + h.id(), null, "Authorization", "Bearer s3cret");
        var right = send("POST", "/api/jobs/" + h.id() + "/cancel?reason=ok", null, "Authorization", "Bearer s3cret");

        assertError(none, 401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).isPresent();
        assertError(wrong, 403);
        assertError(readWithout, 401);
        assertError(listWithout, 401);
        assertThat(streamWithout.statusCode()).isEqualTo(401);
        assertThat(readWithout.body()).doesNotContain("guarded");
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(right.statusCode()).isEqualTo(200);
        assertThat(json(right).get("cancelled").asBoolean()).isTrue();
    }

    @Test
    void loginWithTheTokenSetsASessionCookieThatOpensReadsAndEventStreams() throws Exception {
        start(b -> b.bearerToken("s3cret"));
        var h = gatedJob("behind-login", 0);

        var wrong = send("POST", "/api/login", "{\"token\":\"nope\"}");
        var ok = send("POST", "/api/login", "{\"token\":\"s3cret\"}");
        String setCookie = ok.headers().firstValue("Set-Cookie").orElseThrow();
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        var read = send("GET", "/api/jobs/" + h.id(), null, "Cookie", cookie);
        var forged = send("GET", "/api/jobs/" + h.id(), null, "Cookie", cookie.substring(0, cookie.length() - 2) + "xx");

        assertError(wrong, 403);
        assertThat(wrong.headers().firstValue("Set-Cookie")).isEmpty();
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(setCookie).contains("HttpOnly").contains("SameSite=Strict").doesNotContain("s3cret");
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(json(read).get("name").asText()).isEqualTo("behind-login");
        assertError(forged, 401);
        var sse = http.send(HttpRequest.newBuilder(server.uri().resolve("/api/events")).header("Cookie", cookie)
                .build(), HttpResponse.BodyHandlers.ofInputStream());
        try (var body = sse.body()) {
            assertThat(sse.statusCode()).isEqualTo(200);
        }
    }

    @Test
    void nonLoopbackBindWithoutTokenRefusesToStart() {
        try (var rt = JobRuntime.builder().build()) {
            var api = JobApi.builder(rt).config(HttpConfig.builder().bind("0.0.0.0").port(0).build()).build();
            assertThatThrownBy(() -> WeftHttpServer.start(api))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("bearer token");
            api.close();
        }
    }

    @Test
    void stackTracesReachClientsOnlyWhenEnabled() throws Exception {
        for (boolean expose : new boolean[]{false, true}) {
            start(b -> b.exposeStackTraces(expose));
            var h = runtime.submit("boom", ctx -> {
                throw new IllegalStateException("kaput");
            });
            h.awaitCompletion(WAIT);
            JsonNode error = json(get("/api/jobs/" + h.id())).get("error");
            assertThat(error.get("message").asText()).isEqualTo("kaput");
            assertThat(error.has("stackTrace")).isEqualTo(expose);
            stopEverything();
            server = null;
            runtime = null;
            http = null;
        }
    }

    @Test
    void jobStreamCarriesIdsAndEndsAfterFinished() throws Exception {
        start();
        var h = gatedJob("streamed", 5);
        try (var sse = SseClient.open(http, server.uri().resolve("/api/jobs/" + h.id() + "/events"), null)) {
            assertThat(sse.response.statusCode()).isEqualTo(200);
            assertThat(sse.response.headers().firstValue("Content-Type")).hasValueSatisfying(
                    v -> assertThat(v).startsWith("text/event-stream"));
            gates.getLast().countDown();
            List<SseClient.Event> events = sse.untilEnd(WAIT);

            assertThat(events).allSatisfy(e -> assertThat(e.id()).matches("\\d+"));
            List<String> types = new ArrayList<>();
            for (var e : events) {
                types.add(JSON.readTree(e.data()).get("type").asText());
            }
            assertThat(types).contains("PROGRESS").last().isEqualTo("FINISHED");
            assertThat(JSON.readTree(events.getLast().data()).get("job").get("state").asText()).isEqualTo("SUCCEEDED");
        }
    }

    @Test
    void streamOfAFinishedJobSendsItsFinalEventAndEnds() throws Exception {
        start();
        var h = runtime.submit("over", ctx -> 42);
        h.await();
        try (var sse = SseClient.open(http, server.uri().resolve("/api/jobs/" + h.id() + "/events"), null)) {
            List<SseClient.Event> events = sse.untilEnd(WAIT);
            JsonNode last = JSON.readTree(events.getLast().data());
            assertThat(last.get("type").asText()).isEqualTo("FINISHED");
            assertThat(last.get("job").get("result").asText()).isEqualTo("42");
        }
    }

    @Test
    void resumeWithLastEventIdReplaysOnlyLaterEventsWithoutDuplicates() throws Exception {
        start();
        var h = gatedJob("resumable", 20);
        var first = new ArrayList<SseClient.Event>();
        try (var sse = SseClient.open(http, server.uri().resolve("/api/jobs/" + h.id() + "/events"), null)) {
            while (first.size() < 3) {
                first.add(sse.nextEvent(WAIT));
            }
        }
        String lastSeen = first.getLast().id();
        gates.getLast().countDown();
        assertThat(h.awaitCompletion(WAIT)).isTrue(); // everything after the disconnect happened meanwhile

        List<SseClient.Event> rest;
        try (var sse = SseClient.open(http, server.uri().resolve("/api/jobs/" + h.id() + "/events"), lastSeen)) {
            rest = sse.untilEnd(WAIT);
        }

        var firstIds = first.stream().map(SseClient.Event::id).toList();
        var restIds = rest.stream().map(SseClient.Event::id).toList();
        assertThat(restIds).doesNotContainAnyElementsOf(firstIds).doesNotHaveDuplicates().isNotEmpty();
        assertThat(restIds.stream().mapToLong(Long::parseLong)).allMatch(id -> id > Long.parseLong(lastSeen));
        assertThat(JSON.readTree(rest.getLast().data()).get("type").asText()).isEqualTo("FINISHED");

        // and a client that has already seen the end is told there is nothing more (204 stops EventSource)
        var again = http.send(HttpRequest.newBuilder(server.uri().resolve("/api/jobs/" + h.id() + "/events"))
                .header("Last-Event-ID", rest.getLast().id()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(again.statusCode()).isEqualTo(204);
    }

    @Test
    void globalStreamResumesAcrossJobs() throws Exception {
        start();
        try (var sse = SseClient.open(http, server.uri().resolve("/api/events"), null)) {
            runtime.submit("one", ctx -> 1).await();
            SseClient.Event e;
            String lastId = null;
            while ((e = sse.nextEvent(WAIT)) != null) {
                lastId = e.id();
                if (JSON.readTree(e.data()).get("type").asText().equals("FINISHED")) {
                    break;
                }
            }
            assertThat(lastId).isNotNull();
            sse.close();
            var two = runtime.submit("two", ctx -> 2);
            two.await();
            try (var again = SseClient.open(http, server.uri().resolve("/api/events"), lastId)) {
                var seen = new HashSet<String>();
                while (true) {
                    var ev = again.nextEvent(WAIT);
                    assertThat(ev).isNotNull();
                    assertThat(seen.add(ev.id())).as("duplicate id " + ev.id()).isTrue();
                    JsonNode n = JSON.readTree(ev.data());
                    assertThat(n.get("job").get("name").asText()).isEqualTo("two");
                    if (n.get("type").asText().equals("FINISHED")) {
                        break;
                    }
                }
            }
        }
    }

    @Test
    void idleStreamGetsHeartbeats() throws Exception {
        start(b -> b.heartbeat(Duration.ofMillis(100)));
        try (var sse = SseClient.open(http, server.uri().resolve("/api/events"), null)) {
            int heartbeats = 0;
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (heartbeats < 3 && System.nanoTime() < deadline) {
                var e = sse.next(WAIT);
                if (e != null && e.isComment() && e.comment().equals("heartbeat")) {
                    heartbeats++;
                }
            }
            assertThat(heartbeats).isEqualTo(3);
        }
    }

    @Test
    void streamsBeyondTheCapAnswer503() throws Exception {
        start(b -> b.maxEventStreams(2).heartbeat(Duration.ofMillis(100))); // a gone client is noticed at the next write
        try (var a = SseClient.open(http, server.uri().resolve("/api/events"), null);
             var b = SseClient.open(http, server.uri().resolve("/api/events"), null)) {
            assertThat(a.next(WAIT).comment()).isEqualTo("connected");
            assertThat(b.next(WAIT).comment()).isEqualTo("connected");

            var third = get("/api/events");

            assertError(third, 503);
            assertThat(third.headers().firstValue("Retry-After")).isPresent();
        }
        awaitNoStreams();
        try (var c = SseClient.open(http, server.uri().resolve("/api/events"), null)) {
            assertThat(c.response.statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aClientThatStopsReadingIsDisconnectedAndNeverBlocksJobs() throws Exception {
        start(b -> b.clientBufferEvents(8));
        try (var socket = new Socket()) {
            socket.setReceiveBufferSize(1024);
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()));
            OutputStream out = socket.getOutputStream();
            out.write(("GET /api/events HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            awaitStreams(1);

            // never read from the socket; meanwhile many jobs emit many events
            var handles = new ArrayList<JobHandle<Integer>>();
            long start = System.nanoTime();
            for (int i = 0; i < 500; i++) {
                handles.add(runtime.submit("burst", ctx -> 1));
            }
            for (var h : handles) {
                assertThat(h.awaitCompletion(WAIT)).isTrue();
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(took).isLessThan(WAIT);
            awaitNoStreams(); // the slow client was dropped, its thread ended
        }
    }

    @Test
    void scopesShowTheRunningJobsTree() throws Exception {
        start();
        var gate = new CountDownLatch(1);
        gates.add(gate);
        var started = new CountDownLatch(2);
        var h = runtime.submit(JobSpec.named("tree").body(ctx -> {
            for (int i = 0; i < 2; i++) {
                ctx.scope().fork("leaf" + i, () -> {
                    started.countDown();
                    gate.await();
                    return null;
                });
            }
            return null;
        }));
        started.await();

        JsonNode scopes = json(get("/api/scopes")).get("scopes");

        assertThat(scopes).isNotEmpty();
        JsonNode root = scopes.get(0);
        assertThat(root.get("path").asText()).isNotBlank();
        assertThat(root.get("state").asText()).isEqualTo("OPEN");
        assertThat(root.get("tasks").get("total").asInt()).isEqualTo(3); // the body runs as task "main"
        assertThat(root.get("tasks").get("byState").get("RUNNING").asInt()).isEqualTo(2);
        assertThat(root.has("progress")).isTrue();
        assertThat(root.get("age").asText()).startsWith("PT");
        gate.countDown();
        assertThat(h.awaitCompletion(WAIT)).isTrue();
    }

    @Test
    void healthReportsCounts() throws Exception {
        start();
        JsonNode health = json(get("/api/health"));
        assertThat(health.get("status").asText()).isEqualTo("UP");
        assertThat(health.get("counts").has("RUNNING")).isTrue();
    }

    private void awaitState(String id, JobState state) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (runtime.get(id).state() != state) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(id + " never reached " + state + "; is " + runtime.get(id).state());
            }
            Thread.sleep(5);
        }
    }

    private void awaitStreams(int n) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (server.api().openEventStreams() != n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("expected " + n + " open streams, have " + server.api().openEventStreams());
            }
            Thread.sleep(5);
        }
    }

    private void awaitNoStreams() throws InterruptedException {
        awaitStreams(0);
    }

}
