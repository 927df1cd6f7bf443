package dev.weft.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.http.HttpConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The demo's own endpoints over real HTTP. */
class DemoApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private DemoServer demo;
    private HttpClient http;

    @BeforeEach
    void start() throws Exception {
        demo = DemoServer.start(HttpConfig.builder().port(0).build());
        http = HttpClient.newHttpClient();
    }

    @AfterEach
    void stop() {
        http.close();
        demo.close();
    }

    private HttpResponse<String> send(String method, String path) throws Exception {
        var b = HttpRequest.newBuilder(demo.uri().resolve(path)).timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (!method.equals("GET")) {
            b.header("Content-Type", "application/json");
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void quoteAnswersWithinTheDeadlineNamingEveryBackendOnce() throws Exception {
        for (int i = 0; i < 5; i++) {
            var r = send("GET", "/api/quote?item=book");
            assertThat(r.statusCode()).isEqualTo(200);
            JsonNode body = JSON.readTree(r.body());
            assertThat(body.get("tookMs").asLong()).isLessThan(1_000);
            Set<String> named = new HashSet<>();
            body.get("quotes").forEach(q -> named.add(q.get("backend").asText()));
            body.get("missing").forEach(m -> {
                named.add(m.get("backend").asText());
                assertThat(m.get("outcome").asText()).isEqualTo("TimedOut");
            });
            assertThat(named).containsExactlyInAnyOrder("acme", "globex", "initech");
        }
        assertThat(send("GET", "/api/quote").statusCode()).isEqualTo(400);
    }

    @Test
    void everySampleStartsAndReachesItsExpectedEnd() throws Exception {
        var expected = java.util.Map.of("pipeline", "SUCCEEDED", "fail-fast", "FAILED", "timeout", "TIMED_OUT",
                "retry", "SUCCEEDED", "crawl", "SUCCEEDED");
        var ids = new java.util.HashMap<String, String>();
        for (String sample : expected.keySet()) {
            var r = send("POST", "/api/demo/jobs?sample=" + sample);
            assertThat(r.statusCode()).isEqualTo(201);
            ids.put(sample, JSON.readTree(r.body()).get("id").asText());
        }
        for (var e : ids.entrySet()) {
            var h = demo.runtime().handle(e.getValue()).orElseThrow();
            assertThat(h.awaitCompletion(Duration.ofSeconds(60))).isTrue();
            assertThat(demo.runtime().get(e.getValue()).state().name()).as(e.getKey()).isEqualTo(expected.get(e.getKey()));
        }
        // the crawl runs on until its limit (it once could stop after its first page, 1 run in 6)
        JsonNode crawl = JSON.readTree(send("GET", "/api/jobs/" + ids.get("crawl")).body());
        assertThat(crawl.get("result").asInt()).isEqualTo(3_000);
        assertThat(crawl.get("progress").get("done").asLong()).isEqualTo(3_000);
        JsonNode failed = JSON.readTree(send("GET", "/api/jobs/" + ids.get("fail-fast")).body());
        assertThat(failed.get("error").get("message").asText()).contains("payment declined");
        assertThat(send("POST", "/api/demo/jobs?sample=nope").statusCode()).isEqualTo(400);
    }
}
