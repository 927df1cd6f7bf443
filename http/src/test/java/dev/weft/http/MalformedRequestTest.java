package dev.weft.http;

import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static dev.weft.http.ServerFixture.WAIT;
import static dev.weft.http.ServerFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

/** Oversized, malformed and slow requests get Weft's JSON errors, over real (often raw) loopback connections. */
class MalformedRequestTest {

    private static final String JSON_TYPE = "application/json";

    private static void assertJsonError(RawHttp.Response r, int status) throws Exception {
        assertThat(r.status()).as(r.head() + "\n" + r.body()).isEqualTo(status);
        assertThat(r.header("Content-Type")).startsWith(JSON_TYPE);
        assertThat(json(r.body()).get("status").asInt()).isEqualTo(status);
        assertThat(json(r.body()).get("error").asText()).isNotBlank();
    }

    @Test
    void aCancelReasonOverOneKilobyteIsRefusedWith400AndCancelsNothing() throws Exception {
        try (var f = new ServerFixture(b -> b)) {
            var h = f.gatedJob("kept");
            String reason = "x".repeat(JobApi.MAX_REASON + 1);

            var inBody = f.send("POST", "/api/jobs/" + h.id() + "/cancel", "{\"reason\":\"" + reason + "\"}",
                    "Content-Type", JSON_TYPE);
            var inQuery = f.send("POST", "/api/jobs/" + h.id() + "/cancel?reason=" + reason, "{}",
                    "Content-Type", JSON_TYPE);
            var atTheLimit = f.send("POST", "/api/jobs/" + h.id() + "/cancel",
                    "{\"reason\":\"" + "y".repeat(JobApi.MAX_REASON) + "\"}", "Content-Type", JSON_TYPE);

            assertThat(inBody.statusCode()).isEqualTo(400);
            assertThat(json(inBody.body()).get("error").asText()).contains("1025 characters").contains("at most 1024");
            assertThat(inQuery.statusCode()).isEqualTo(400);
            assertThat(atTheLimit.statusCode()).isEqualTo(200);
            // a running job's record carries its reason once it has ended CANCELLED, a moment after cancel returned
            assertThat(h.awaitCompletion(WAIT)).isTrue();
            assertThat(f.runtime.get(h.id()).cancellationReason().detail()).doesNotContain("x");
        }
    }

    @Test
    void aHugeJobIdIsNotEchoedBack() throws Exception {
        try (var f = new ServerFixture(b -> b)) {
            String id = "a".repeat(5_000);
            String huge = "b".repeat(100_000);

            var r = f.send("GET", "/api/jobs/" + id, null);
            var h = RawHttp.send(f.port(), "GET /api/jobs/" + huge + " HTTP/1.1\r\nHost: localhost\r\n\r\n", WAIT);

            assertThat(r.statusCode()).isEqualTo(404);
            assertThat(r.body().length()).isLessThan(1_500);
            assertThat(r.body()).doesNotContain(id);
            assertJsonError(h, 414);
            assertThat(h.body().length()).isLessThan(1_500);
        }
    }

    @Test
    void trailingGarbageAfterTheJsonBodyIsRefusedAndCancelsNothing() throws Exception {
        try (var f = new ServerFixture(b -> b)) {
            var h = f.gatedJob("kept");

            var r = f.send("POST", "/api/jobs/" + h.id() + "/cancel", "{\"reason\":\"a\"} {\"then\":1}",
                    "Content-Type", JSON_TYPE);

            assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
            assertThat(f.runtime.get(h.id()).cancellationReason()).isNull();
        }
    }

    @Test
    void aMalformedPercentEscapeInTheQueryGetsAJsonError() throws Exception {
        try (var f = new ServerFixture(b -> b)) {
            assertJsonError(RawHttp.send(f.port(), "GET /api/jobs?state=%zz HTTP/1.1\r\nHost: localhost\r\n"
                    + "Connection: close\r\n\r\n", WAIT), 400);
            assertJsonError(RawHttp.send(f.port(), "GET /api/jobs/%zz HTTP/1.1\r\nHost: localhost\r\n"
                    + "Connection: close\r\n\r\n", WAIT), 400);
        }
    }

    @Test
    void aBackslashInThePathGetsAJsonError() throws Exception {
        try (var f = new ServerFixture(b -> b)) {
            var r = RawHttp.send(f.port(), "GET /api\\jobs HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
                    WAIT);
            assertJsonError(r, 400);
            assertThat(json(r.body()).get("error").asText()).contains("backslash");
        }
    }

    @Test
    void moreThan200HeadersAreAnswered431NotReset() throws Exception {
        try (var f = new ServerFixture(b -> b)) {
            var req = new StringBuilder("GET /api/jobs HTTP/1.1\r\nHost: localhost\r\n");
            for (int i = 0; i < 250; i++) {
                req.append("X-H").append(i).append(": v\r\n");
            }
            req.append("\r\n");

            assertJsonError(RawHttp.send(f.port(), req.toString(), WAIT), 431);
        }
    }

    @Test
    void aOneMegabyteHeaderIsAnswered431NotReset() throws Exception {
        try (var f = new ServerFixture(b -> b)) {
            String req = "GET /api/jobs HTTP/1.1\r\nHost: localhost\r\nX-Big: " + "z".repeat(1 << 20) + "\r\n\r\n";

            var r = RawHttp.send(f.port(), req, WAIT);

            assertJsonError(r, 431);
            assertThat(r.reset()).isFalse();
        }
    }

    @Test
    void aConnectionThatTricklesItsHeadersIsAnswered408AndClosed() throws Exception {
        try (var f = new ServerFixture(b -> b.headerTimeout(Duration.ofSeconds(1)));
             var socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), f.port()));
            socket.setSoTimeout(100);
            OutputStream out = socket.getOutputStream();
            out.write("GET /api/jobs HTTP/1.1\r\nHost: localhost\r\n".getBytes(StandardCharsets.US_ASCII));
            long start = System.nanoTime();
            RawHttp.Response answer = null;
            // one more header line every 100 ms, for up to 15 s, until the server answers
            for (int i = 0; i < 150 && answer == null; i++) {
                try {
                    out.write(("X-Slow-" + i + ": 1\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                } catch (java.io.IOException e) {
                    break; // closed by the server
                }
                try {
                    int b = socket.getInputStream().read();
                    if (b >= 0) {
                        socket.setSoTimeout((int) WAIT.toMillis());
                        var rest = RawHttp.read(socket.getInputStream(), false);
                        answer = new RawHttp.Response(-1, (char) b + rest.head(), rest.body(), rest.reset());
                    } else {
                        break;
                    }
                } catch (java.net.SocketTimeoutException e) {
                    // nothing yet: trickle on
                }
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(answer).as("the server never answered a trickling client").isNotNull();
            assertThat(answer.head()).startsWith("HTTP/1.1 408");
            assertThat(took).isLessThan(Duration.ofSeconds(10));
        }
    }
}
