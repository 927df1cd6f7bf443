package dev.weft.http;

import dev.weft.jobs.JobState;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.List;

import static dev.weft.http.ServerFixture.WAIT;
import static dev.weft.http.ServerFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

/** Cross-site requests, DNS rebinding and security headers, against a real server on loopback. */
class HttpSecurityTest {

    private static final String JSON_TYPE = "application/json";

    @Test
    void aPostFromAnotherOriginIsRefusedAndCancelsNothing() throws Exception {
        try (var f = new ServerFixture(b -> b)) {
            var h = f.gatedJob("victim");

            var r = f.send("POST", "/api/jobs/" + h.id() + "/cancel?reason=csrf", "{}",
                    "Content-Type", JSON_TYPE, "Origin", "http://evil.example");

            assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
            assertThat(json(r.body()).get("error").asText()).contains("Origin http://evil.example");
            assertThat(f.runtime.get(h.id()).state()).isNotEqualTo(JobState.CANCELLED);
            assertThat(f.runtime.get(h.id()).cancellationReason()).isNull();
        }
    }

    @Test
    void aPostThatIsNotJsonIsRefusedEvenWithoutAnOrigin() throws Exception {
        try (var f = new ServerFixture(b -> b)) {
            var h = f.gatedJob("victim");

            var form = f.send("POST", "/api/jobs/" + h.id() + "/cancel", "reason=csrf",
                    "Content-Type", "application/x-www-form-urlencoded");
            var plain = f.send("POST", "/api/jobs/" + h.id() + "/cancel?reason=csrf", null);

            assertThat(form.statusCode()).as(form.body()).isEqualTo(415);
            assertThat(json(form.body()).get("error").asText()).contains("Content-Type: application/json");
            assertThat(plain.statusCode()).isEqualTo(415);
            assertThat(f.runtime.get(h.id()).cancellationReason()).isNull();
        }
    }

    @Test
    void aPostFromTheServersOwnOriginOrAnAllowedOneIsServed() throws Exception {
        try (var f = new ServerFixture(b -> b.allowedOrigins("https://jobs.example.com"))) {
            var a = f.gatedJob("a");
            var b = f.gatedJob("b");
            String own = "http://127.0.0.1:" + f.port();

            var fromOwn = f.send("POST", "/api/jobs/" + a.id() + "/cancel", "{}", "Content-Type", JSON_TYPE,
                    "Origin", own, "Sec-Fetch-Site", "same-origin");
            var fromAllowed = f.send("POST", "/api/jobs/" + b.id() + "/cancel", "{}", "Content-Type", JSON_TYPE,
                    "Origin", "https://jobs.example.com", "Sec-Fetch-Site", "cross-site");

            assertThat(fromOwn.statusCode()).as(fromOwn.body()).isEqualTo(200);
            assertThat(fromAllowed.statusCode()).as(fromAllowed.body()).isEqualTo(200);
        }
    }

    @Test
    void aRequestAddressedToAnotherHostNameIsRefusedOnLoopback() throws Exception {
        try (var f = new ServerFixture(b -> b)) {
            var h = f.gatedJob("secret-name");

            var rebound = RawHttp.send(f.port(), "GET /api/jobs HTTP/1.1\r\nHost: evil.example:" + f.port()
                    + "\r\nConnection: close\r\n\r\n", WAIT);
            var rebindPost = RawHttp.send(f.port(), "POST /api/jobs/" + h.id() + "/cancel HTTP/1.1\r\nHost: "
                    + "evil.example:" + f.port() + "\r\nOrigin: http://evil.example:" + f.port() + "\r\nContent-Type: "
                    + JSON_TYPE + "\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}", WAIT);
            var byName = RawHttp.send(f.port(), "GET /api/jobs HTTP/1.1\r\nHost: localhost:" + f.port()
                    + "\r\nConnection: close\r\n\r\n", WAIT);

            assertThat(rebound.status()).as(rebound.body()).isEqualTo(403);
            assertThat(rebound.body()).doesNotContain("secret-name").contains("evil.example");
            assertThat(rebindPost.status()).isEqualTo(403);
            assertThat(f.runtime.get(h.id()).cancellationReason()).isNull();
            assertThat(byName.status()).isEqualTo(200);
            assertThat(byName.body()).contains("secret-name");
        }
    }

    @Test
    void everyResponseCarriesContentSecurityPolicyNosniffAndFrameDenial() throws Exception {
        try (var f = new ServerFixture(b -> b, api -> api.staticResources("/web-root"))) {
            var page = f.send("GET", "/", null);
            var api = f.send("GET", "/api/jobs", null);
            var error = f.send("GET", "/api/jobs/nope", null);
            var stream = f.http.send(java.net.http.HttpRequest.newBuilder(f.server.uri().resolve("/api/events"))
                    .build(), HttpResponse.BodyHandlers.ofInputStream());
            stream.body().close();

            for (HttpResponse<?> r : List.of(page, api, error, stream)) {
                assertThat(r.headers().firstValue("X-Content-Type-Options")).as(r.uri().toString()).hasValue("nosniff");
                assertThat(r.headers().firstValue("X-Frame-Options")).as(r.uri().toString()).hasValue("DENY");
                assertThat(r.headers().firstValue("Content-Security-Policy")).as(r.uri().toString())
                        .hasValueSatisfying(v -> assertThat(v).contains("frame-ancestors 'none'"));
            }
            assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow())
                    .contains("default-src 'self'").contains("script-src 'self'");
            assertThat(api.headers().firstValue("Content-Security-Policy").orElseThrow()).contains("default-src 'none'");
        }
    }

    @Test
    void aConfigurationPrintedForTheLogsNeverShowsItsToken() {
        var config = HttpConfig.builder().bearerToken("s3cret-token").build();
        assertThat(config.toString()).doesNotContain("s3cret-token").contains("bearerToken=****");
        assertThat(HttpConfig.builder().build().toString()).contains("bearerToken=none");
    }
}
