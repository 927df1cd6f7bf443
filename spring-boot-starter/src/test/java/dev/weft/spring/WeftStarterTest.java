package dev.weft.spring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.http.JobApi;
import dev.weft.jobs.JobRuntime;
import dev.weft.jobs.JobState;
import dev.weft.jobs.JobType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The starter in a real Spring Boot application on a random port, with Spring Security and Actuator. */
@SpringBootTest(classes = WeftStarterTest.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
                "spring.security.user.name=ops", "spring.security.user.password=ops-secret",
                "spring.security.user.roles=WEFT",
                "weft.security.write-role=WEFT",
                "weft.name=orders", "weft.shutdown-grace=0s", "weft.http.static-resources=/test-web",
                "management.endpoints.web.exposure.include=health,metrics",
                "management.endpoint.health.show-details=always"})
class WeftStarterTest {

    static final Duration WAIT = Duration.ofSeconds(20);
    static final ObjectMapper JSON = new ObjectMapper();
    static final String OPS = "Basic " + Base64.getEncoder()
            .encodeToString("ops:ops-secret".getBytes(StandardCharsets.UTF_8));
    /** Released after each test, so gated jobs end. */
    static volatile CountDownLatch gate = new CountDownLatch(1);

    record Greet(String name) {
    }

    @SpringBootApplication
    static class App {
        @Bean
        JobType<Greet, String> greet() {
            return JobType.of("greet", Greet.class, String.class, (ctx, g) -> {
                gate.await();
                return "hello " + g.name();
            });
        }

        @Bean
        WeftApiCustomizer testPages() {
            return api -> api.route("GET", "/api/ping", (req, res) -> res.json(200, java.util.Map.of("pong", true)));
        }

        @RestController
        static class Hello {
            @GetMapping("/hello")
            String hello() {
                return "hello";
            }
        }
    }

    @LocalServerPort
    int port;
    @Autowired
    JobRuntime runtime;
    @Autowired
    JobApi api;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(WAIT).build();

    @AfterEach
    void release() {
        gate.countDown();
        gate = new CountDownLatch(1);
        http.close();
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    private HttpResponse<String> get(String path, String... headers) throws IOException, InterruptedException {
        var b = HttpRequest.newBuilder(uri(path)).timeout(WAIT);
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(WAIT).header("Authorization", OPS)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> r) throws IOException {
        return JSON.readTree(r.body());
    }

    @Test
    void aJobTypeBeanIsSubmittedOverHttpOnTheApplicationsOwnPort() throws Exception {
        var r = post("/weft/api/jobs", "{\"type\": \"greet\", \"payload\": {\"name\": \"boot\"}}");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        String id = json(r).get("id").asText();
        assertThat(r.headers().firstValue("Location")).hasValue("/weft/api/jobs/" + id);
        gate.countDown();
        assertThat(runtime.handle(id).orElseThrow().await()).isEqualTo("hello boot");
        assertThat(json(get("/weft/api/jobs/" + id, "Authorization", OPS)).get("state").asText())
                .isEqualTo("SUCCEEDED");
        assertThat(json(get("/weft/api/ping", "Authorization", OPS)).get("pong").asBoolean()).isTrue();
    }

    @Test
    void springSecurityGuardsWeftAndTheApplicationKeepsItsDefaultProtection() throws Exception {
        var anonymous = get("/weft/api/jobs");
        var anonymousApp = get("/hello");
        var authorized = get("/weft/api/jobs", "Authorization", OPS);
        var app = get("/hello", "Authorization", OPS);

        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymousApp.statusCode()).isIn(401, 302);
        assertThat(authorized.statusCode()).isEqualTo(200);
        assertThat(app.body()).isEqualTo("hello");
    }

    @Test
    void theDashboardIsServedUnderWeft() throws Exception {
        var bare = get("/weft", "Authorization", OPS);
        var index = get("/weft/", "Authorization", OPS);

        assertThat(bare.statusCode()).isEqualTo(302);
        assertThat(index.statusCode()).isEqualTo(200);
        assertThat(index.body()).contains("<title>Weft jobs");
    }

    @Test
    void actuatorShowsTheRuntimesHealthAndMetrics() throws Exception {
        runtime.submit("counted", ctx -> 1).await();

        var health = get("/actuator/health/weft", "Authorization", OPS);
        var metric = get("/actuator/metrics/weft.jobs.finished", "Authorization", OPS);

        assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
        assertThat(json(health).get("status").asText()).isEqualTo("UP");
        assertThat(json(health).get("details").get("store").asText()).isEqualTo("memory");
        assertThat(json(health).get("details").get("counts").get("SUCCEEDED").asLong()).isPositive();
        assertThat(json(health).get("details").get("nodes")).hasSize(1);
        assertThat(json(health).get("details").get("nodes").get(0).get("state").asText()).isEqualTo("ALIVE");
        assertThat(metric.statusCode()).as(metric.body()).isEqualTo(200);
    }

    @Test
    void eventsArriveOverSseAndCancelEndsTheJob() throws Exception {
        try (var events = new Events(http, uri("/weft/api/events"))) {
            String id = json(post("/weft/api/jobs", "{\"type\": \"greet\", \"payload\": {\"name\": \"sse\"}}"))
                    .get("id").asText();
            assertThat(events.next("STARTED", id)).isNotNull();

            var cancel = post("/weft/api/jobs/" + id + "/cancel", "{\"reason\": \"changed my mind\"}");

            assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(200);
            JsonNode finished = events.next("FINISHED", id);
            assertThat(finished.get("job").get("state").asText()).isEqualTo(JobState.CANCELLED.name());
        }
    }

    /** An SSE client reading {@code data:} lines on a virtual thread. */
    static final class Events implements AutoCloseable {
        private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final HttpResponse<InputStream> response;
        private final Thread reader;
        private final CountDownLatch end = new CountDownLatch(1);

        Events(HttpClient http, URI uri) throws IOException, InterruptedException {
            response = http.send(HttpRequest.newBuilder(uri).header("Accept", "text/event-stream")
                    .header("Authorization", OPS).build(), HttpResponse.BodyHandlers.ofInputStream());
            assertThat(response.statusCode()).isEqualTo(200);
            reader = Thread.ofVirtual().start(() -> {
                try (var in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    // closed
                } finally {
                    end.countDown();
                }
            });
        }

        JsonNode next(String type, String jobId) throws Exception {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (true) {
                String line = lines.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                assertThat(line).as("event %s of %s in time", type, jobId).isNotNull();
                if (line.startsWith("data: ")) {
                    JsonNode e = JSON.readTree(line.substring(6));
                    if (e.path("type").asText().equals(type) && e.path("job").path("id").asText().equals(jobId)) {
                        return e;
                    }
                }
            }
        }

        boolean ended(Duration wait) throws InterruptedException {
            return end.await(wait.toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public void close() throws Exception {
            response.body().close();
            reader.join(WAIT);
        }
    }
}
