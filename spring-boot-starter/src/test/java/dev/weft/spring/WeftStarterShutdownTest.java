package dev.weft.spring;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.http.JobApi;
import dev.weft.jobs.JobState;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.weft.spring.WeftStarterTest.JSON;
import static dev.weft.spring.WeftStarterTest.OPS;
import static dev.weft.spring.WeftStarterTest.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Closing the application drains Weft before the web server stops: a running job is cancelled with reason
 * SHUTDOWN and its event reaches the client over the still-running server. (The application is started by hand,
 * not by the test framework, so the test can close it.)
 */
class WeftStarterShutdownTest {

    @Test
    void shuttingDownDrainsARunningJobAndItsClientsSeeItBeforeTheServerStops() throws Exception {
        ConfigurableApplicationContext app = new SpringApplicationBuilder(WeftStarterTest.App.class).properties(
                "server.port=0", "spring.security.user.name=ops", "spring.security.user.password=ops-secret",
                "spring.security.user.roles=WEFT", "weft.shutdown-grace=0s").run();
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(WAIT).build()) {
            int port = ((WebServerApplicationContext) app).getWebServer().getPort();
            JobApi api = app.getBean(JobApi.class);
            URI base = URI.create("http://localhost:" + port);
            try (var events = new WeftStarterTest.Events(http, base.resolve("/weft/api/events"))) {
                var submitted = http.send(HttpRequest.newBuilder(base.resolve("/weft/api/jobs"))
                        .header("Authorization", OPS).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"type\": \"greet\", \"payload\": {\"name\": \"late\"}}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                String id = JSON.readTree(submitted.body()).get("id").asText();
                events.next("STARTED", id);

                var closed = CompletableFuture.runAsync(app::close);

                JsonNode finished = events.next("FINISHED", id); // over the still-running server
                assertThat(finished.get("job").get("state").asText()).isEqualTo(JobState.CANCELLED.name());
                assertThat(finished.get("job").toString()).contains("SHUTDOWN");
                closed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(events.ended(WAIT)).as("the stream ended").isTrue();
                assertThat(api.openEventStreams()).isZero();
            }
        } finally {
            app.close();
            WeftStarterTest.gate.countDown();
        }
        assertThat(Thread.getAllStackTraces().keySet())
                .noneMatch(t -> t.isAlive() && t.getName().startsWith("weft-servlet-"));
    }
}
