package dev.weft.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.weft.jobs.JobRuntime;
import dev.weft.jobs.JobState;
import dev.weft.jobs.JobType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;


import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code POST /api/jobs} and application routes, over the real server. */
class SubmitAndRoutesTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    record Resize(String image, int width) {
    }

    private final CountDownLatch gate = new CountDownLatch(1);
    private final JobType<Resize, String> resize = JobType.of("resize", Resize.class, String.class, (ctx, r) -> {
        gate.await();
        return r.image() + "@" + r.width();
    });
    private final JobType<String, String> unexposed = JobType.of("internal", String.class, String.class,
            (ctx, s) -> s);

    private JobRuntime runtime;
    private WeftHttpServer server;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(WAIT).build();

    private void start(UnaryOperator<HttpConfig.Builder> config, UnaryOperator<JobApi.Builder> api)
            throws IOException {
        runtime = JobRuntime.builder().register(resize, unexposed).shutdownGrace(Duration.ZERO).build();
        server = WeftHttpServer.start(api.apply(JobApi.builder(runtime).submittable(resize)
                .config(config.apply(HttpConfig.builder().port(0)).build())).build());
    }

    private void start() throws IOException {
        start(c -> c, a -> a);
    }

    @AfterEach
    void stop() {
        gate.countDown();
        if (runtime != null) {
            runtime.close();
        }
        if (server != null) {
            server.close();
        }
        http.close();
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().startsWith("weft-http-"));
    }

    private HttpResponse<String> post(String path, String body, String... headers)
            throws IOException, InterruptedException {
        var b = HttpRequest.newBuilder(server.uri().resolve(path)).timeout(WAIT)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(server.uri().resolve(path)).timeout(WAIT).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> r) throws IOException {
        return JSON.readTree(r.body());
    }

    @Test
    void submittingARegisteredTypeAnswers201WithTheJobsUrlAndRunsItWithThePayload() throws Exception {
        start();

        var r = post("/api/jobs", """
                {"type": "resize", "payload": {"image": "cat.png", "width": 640}, "priority": 3,
                 "group": "tenant-7", "timeout": "PT1M"}""");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        String id = json(r).get("id").asText();
        assertThat(r.headers().firstValue("Location")).hasValue("/api/jobs/" + id);
        var job = json(get("/api/jobs/" + id));
        assertThat(job.get("name").asText()).isEqualTo("resize");
        assertThat(job.get("group").asText()).isEqualTo("tenant-7");
        assertThat(job.get("priority").asInt()).isEqualTo(3);
        gate.countDown();
        assertThat(runtime.handle(id).orElseThrow().await()).isEqualTo("cat.png@640");
    }

    @Test
    void underAJdkServerContextANewJobsUrlCarriesThePrefix() throws Exception {
        runtime = JobRuntime.builder().register(resize).shutdownGrace(Duration.ZERO).build();
        try (var api = JobApi.builder(runtime).submittable(resize).build();
             var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            HttpServer jdk = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
            jdk.setExecutor(executor);
            jdk.createContext("/weft", new JdkHttpServerAdapter(api));
            jdk.start();
            try {
                URI base = URI.create("http://localhost:" + jdk.getAddress().getPort());
                String body = "{\"type\": \"resize\", \"payload\": {\"image\": \"a\", \"width\": 1}, \"key\": \"k\"}";
                var submit = HttpRequest.newBuilder(base.resolve("/weft/api/jobs")).timeout(WAIT)
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body))
                        .build();

                var created = http.send(submit, HttpResponse.BodyHandlers.ofString());
                var duplicate = http.send(submit, HttpResponse.BodyHandlers.ofString());

                String id = json(created).get("id").asText();
                assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
                assertThat(created.headers().firstValue("Location")).hasValue("/weft/api/jobs/" + id);
                assertThat(duplicate.statusCode()).isEqualTo(409);
                assertThat(duplicate.headers().firstValue("Location")).hasValue("/weft/api/jobs/" + id);
                var job = http.send(HttpRequest.newBuilder(base.resolve(created.headers().firstValue("Location")
                        .orElseThrow())).timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(job.statusCode()).isEqualTo(200);
            } finally {
                gate.countDown();
                runtime.close();
                jdk.stop(0);
            }
        }
    }

    @Test
    void anUnknownPayloadFieldIsRefusedNamingItAndTheFieldsAllowed() throws Exception {
        start();

        var r = post("/api/jobs", "{\"type\": \"resize\", \"payload\": {\"image\": \"a\", \"width\": 1, \"hieght\": 2}}");

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).get("error").asText())
                .contains("payload.hieght is not a field of Resize").contains("[image, width]");
        assertThat(runtime.counts().values().stream().mapToLong(Long::longValue).sum()).isZero();
    }

    @Test
    void aPayloadFieldOfTheWrongKindIsRefusedNamingIt() throws Exception {
        start();

        var r = post("/api/jobs", "{\"type\": \"resize\", \"payload\": {\"image\": \"a\", \"width\": \"wide\"}}");

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).get("error").asText()).contains("payload.width must be an integer").contains("wide");
    }

    @Test
    void aMissingPayloadFieldIsRefusedNamingIt() throws Exception {
        start();

        var r = post("/api/jobs", "{\"type\": \"resize\", \"payload\": {\"image\": \"a\"}}");

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).get("error").asText()).contains("payload.width is missing");
    }

    @Test
    void aTypeThatIsNotSubmittableIsRefusedListingTheOnesThatAre() throws Exception {
        start();

        var r = post("/api/jobs", "{\"type\": \"internal\", \"payload\": \"x\"}");

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).get("error").asText()).contains("'internal' cannot be submitted").contains("[resize]");
        assertThat(json(get("/api/types")).get("types").toString()).isEqualTo("[\"resize\"]");
    }

    @Test
    void anUnknownTopLevelFieldOrABadTimeoutIsRefusedNamingIt() throws Exception {
        start();

        var unknown = post("/api/jobs", "{\"type\": \"resize\", \"payload\": null, \"prio\": 1}");
        var timeout = post("/api/jobs", "{\"type\": \"resize\", \"payload\": null, \"timeout\": \"5 minutes\"}");

        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(json(unknown).get("error").asText()).contains("unknown field 'prio'")
                .contains("[group, key, payload, priority, timeout, type]");
        assertThat(timeout.statusCode()).isEqualTo(400);
        assertThat(json(timeout).get("error").asText()).contains("timeout must be an ISO-8601 duration");
    }

    @Test
    void aKeyHeldByARunningJobAnswers409NamingThatJob() throws Exception {
        start();
        String body = "{\"type\": \"resize\", \"payload\": {\"image\": \"a\", \"width\": 1}, \"key\": \"resize:a\"}";
        var first = post("/api/jobs", body);
        assertThat(first.statusCode()).isEqualTo(201);
        String id = json(first).get("id").asText();

        var second = post("/api/jobs", body);

        assertThat(second.statusCode()).isEqualTo(409);
        assertThat(json(second).get("existingJob").asText()).isEqualTo(id);
        assertThat(json(second).get("error").asText()).contains("key 'resize:a'").contains(id);
        assertThat(second.headers().firstValue("Location")).hasValue("/api/jobs/" + id);
        gate.countDown();
        runtime.handle(id).orElseThrow().await();
        assertThat(post("/api/jobs", body).statusCode()).as("the key is free once the job ended").isEqualTo(201);
    }

    @Test
    void aSubmitTheRuntimeRefusesAnswers503() throws Exception {
        start();
        runtime.close();

        var r = post("/api/jobs", "{\"type\": \"resize\", \"payload\": {\"image\": \"a\", \"width\": 1}}");

        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("Retry-After")).isPresent();
        assertThat(json(r).get("error").asText()).contains("rejected");
    }

    @Test
    void submittingIsProtectedLikeEveryOtherWrite() throws Exception {
        start(c -> c.bearerToken("s3cret-token-of-some-length"), a -> a);
        String body = "{\"type\": \"resize\", \"payload\": {\"image\": \"a\", \"width\": 1}}";

        var anonymous = post("/api/jobs", body);
        var crossSite = post("/api/jobs", body, "Authorization", "Bearer s3cret-token-of-some-length",
                "Origin", "https://evil.example");
        var form = http.send(HttpRequest.newBuilder(server.uri().resolve("/api/jobs"))
                .header("Authorization", "Bearer s3cret-token-of-some-length")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        var allowed = post("/api/jobs", body, "Authorization", "Bearer s3cret-token-of-some-length");

        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(crossSite.statusCode()).isEqualTo(403);
        assertThat(form.statusCode()).isEqualTo(415);
        assertThat(allowed.statusCode()).isEqualTo(201);
        assertThat(runtime.counts().get(JobState.QUEUED) + runtime.counts().get(JobState.RUNNING)).isEqualTo(1);
    }

    @Test
    void anApplicationRouteAnswersWithTheApisJsonAndErrors() throws Exception {
        start(c -> c, a -> a.route("GET", "/api/quote", (req, res) -> req.param("item").isEmpty()
                ? res.error(400, "give an item", req)
                : res.json(200, java.util.Map.of("item", req.param("item").get(), "within", Duration.ofMillis(200)))));

        var ok = get("/api/quote?item=book");
        var bad = get("/api/quote");
        var wrongMethod = post("/api/quote", "{}");

        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(json(ok).get("within").asText()).isEqualTo("PT0.2S");
        assertThat(ok.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(json(bad).get("error").asText()).isEqualTo("give an item");
        assertThat(json(bad).get("path").asText()).isEqualTo("/api/quote");
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
    }

    @Test
    void aRequestThatMeetsAnUnreachableStoreAnswers503WithRetryAfter() throws Exception {
        start(c -> c, a -> a.route("GET", "/api/report", (req, res) -> {
            throw new dev.weft.jobs.spi.StoreUnavailableException("the job store is unreachable (connection refused)",
                    null);
        }));

        var r = get("/api/report");

        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("Retry-After")).isPresent();
        assertThat(json(r).get("error").asText()).contains("the job store is unreachable");
    }
}
