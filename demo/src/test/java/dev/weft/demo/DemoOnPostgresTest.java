package dev.weft.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.http.HttpConfig;
import dev.weft.jobs.JobEvent;
import dev.weft.postgres.LocalPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ./weft demo --postgres}: the demo on a real PostgreSQL over real HTTP; its history, and its event
 * streams' positions, survive a restart of the demo.
 */
class DemoOnPostgresTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static LocalPostgres pg;
    private static HttpClient http;

    @BeforeAll
    static void start() {
        pg = LocalPostgres.start(false);
        http = HttpClient.newHttpClient();
    }

    @AfterAll
    static void stop() {
        http.close();
        pg.close();
    }

    private static HttpResponse<String> send(URI base, String method, String path, String lastEventId)
            throws Exception {
        var b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (!method.equals("GET")) {
            b.header("Content-Type", "application/json");
        }
        if (lastEventId != null) {
            b.header("Last-Event-ID", lastEventId);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void samplesRunOnPostgresAndTheirHistoryAndEventsSurviveARestartOfTheDemo() throws Exception {
        var expected = Map.of("pipeline", "SUCCEEDED", "fail-fast", "FAILED", "timeout", "TIMED_OUT",
                "retry", "SUCCEEDED");
        var ids = new LinkedHashMap<String, String>();
        var submittedEvent = new ConcurrentHashMap<String, Long>();
        var config = HttpConfig.builder().port(0).build();
        try (DemoServer first = DemoStorage.startOn(config, pg.jdbcUrl(), "demo")) {
            first.runtime().subscribe(e -> {
                if (e.type() == JobEvent.Type.SUBMITTED) {
                    submittedEvent.put(e.job().id(), e.sequence());
                }
            });
            for (String sample : expected.keySet()) {
                var r = send(first.uri(), "POST", "/api/demo/jobs?sample=" + sample, null);
                assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
                ids.put(sample, JSON.readTree(r.body()).get("id").asText());
            }
            for (var e : ids.entrySet()) {
                var h = first.runtime().handle(e.getValue()).orElseThrow();
                assertThat(h.awaitCompletion(Duration.ofSeconds(60))).isTrue();
                assertThat(first.runtime().get(e.getValue()).state().name()).as(e.getKey())
                        .isEqualTo(expected.get(e.getKey()));
            }
        }
        try (DemoServer second = DemoStorage.startOn(config, pg.jdbcUrl(), "demo")) {
            JsonNode page = JSON.readTree(send(second.uri(), "GET", "/api/jobs?limit=1000", null).body());
            var states = new LinkedHashMap<String, String>();
            page.get("jobs").forEach(j -> states.put(j.get("id").asText(), j.get("state").asText()));
            for (var e : ids.entrySet()) {
                assertThat(states.get(e.getValue())).as(e.getKey()).isEqualTo(expected.get(e.getKey()));
            }
            JsonNode health = JSON.readTree(send(second.uri(), "GET", "/api/health", null).body());
            assertThat(health.get("status").asText()).isEqualTo("UP");

            // a client that saw only the pipeline's SUBMITTED event before the restart resumes from the store
            String pipeline = ids.get("pipeline");
            Long seen = submittedEvent.get(pipeline);
            assertThat(seen).as("the SUBMITTED event of the pipeline was delivered").isNotNull();
            var stream = send(second.uri(), "GET", "/api/jobs/" + pipeline + "/events", Long.toString(seen));
            assertThat(stream.statusCode()).isEqualTo(200);
            assertThat(stream.body()).doesNotContain("RESYNC").contains("\"STARTED\"").contains("\"FINISHED\"");
        }
    }

    @Test
    void twoNodesOnOneDatabaseStreamEachOthersJobsAndAClientResumesOnEitherNode() throws Exception {
        var config = HttpConfig.builder().port(0).build();
        try (DemoServer one = DemoStorage.startOn(config, pg.jdbcUrl(), "node-1");
             DemoServer two = DemoStorage.startOn(config, pg.jdbcUrl(), "node-2")) {
            var r = send(two.uri(), "POST", "/api/demo/jobs?sample=pipeline", null);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
            String id = JSON.readTree(r.body()).get("id").asText();

            // node 1's stream of a job submitted on node 2 (and run by either) follows it to its end
            var stream = send(one.uri(), "GET", "/api/jobs/" + id + "/events", null);
            assertThat(stream.statusCode()).isEqualTo(200);
            assertThat(stream.body()).contains("\"FINISHED\"").contains("\"SUCCEEDED\"");
            String firstId = stream.body().lines().filter(l -> l.startsWith("id:")).findFirst().orElseThrow()
                    .substring(3).trim();

            // a client that saw only that first event resumes on node 2 from the shared event log
            var resumed = send(two.uri(), "GET", "/api/jobs/" + id + "/events", firstId);
            assertThat(resumed.statusCode()).isEqualTo(200);
            assertThat(resumed.body()).doesNotContain("RESYNC").contains("\"FINISHED\"");

            JsonNode nodes = JSON.readTree(send(one.uri(), "GET", "/api/jobs?limit=10", null).body());
            assertThat(nodes.get("jobs").findValuesAsText("id")).contains(id);
            assertThat(one.runtime().nodes()).extracting(dev.weft.jobs.NodeInfo::name)
                    .contains("node-1", "node-2");
        }
    }

    @Test
    void withoutAUrlTheDemoStartsALocalPostgresAndRemovesItAtStop() throws Exception {
        try (DemoServer demo = DemoStorage.startOn(HttpConfig.builder().port(0).build(), "", "demo")) {
            JsonNode health = JSON.readTree(send(demo.uri(), "GET", "/api/health", null).body());
            assertThat(health.get("status").asText()).isEqualTo("UP");
            var r = send(demo.uri(), "POST", "/api/demo/jobs?sample=pipeline", null);
            assertThat(r.statusCode()).isEqualTo(201);
        }
    }
}
