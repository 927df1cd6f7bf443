package dev.weft.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.http.HttpConfig;
import dev.weft.jobs.JobSpec;
import dev.weft.jobs.JobState;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The demo's shutdown and command line. */
class DemoServerTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void closingTheDemoSendsTheShutdownCancellationsToOpenEventStreamsBeforeTheyEnd() throws Exception {
        var demo = DemoServer.start(HttpConfig.builder().port(0).build());
        try (var http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            var running = new CountDownLatch(1);
            var job = demo.runtime().submit(JobSpec.named("long").body(ctx -> {
                running.countDown();
                new CountDownLatch(1).await(); // until the shutdown interrupts it
                return "never";
            }));
            assertThat(running.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            var stream = http.sendAsync(HttpRequest.newBuilder(demo.uri().resolve("/api/events")).build(),
                    HttpResponse.BodyHandlers.ofString());
            awaitOpenStreams(http, demo, 1);

            demo.close();
            String body = stream.get(WAIT.toSeconds(), TimeUnit.SECONDS).body();

            assertThat(demo.runtime().get(job.id()).state()).isEqualTo(JobState.CANCELLED);
            String finished = body.lines().filter(l -> l.startsWith("data: ") && l.contains("\"FINISHED\"")
                    && l.contains("\"id\":\"" + job.id() + "\"")).findFirst().orElse(null);
            assertThat(finished).as("the stream ended without the job's FINISHED event: " + body).isNotNull();
            assertThat(JSON.readTree(finished.substring(6)).get("job").get("cancellationReason").get("kind").asText())
                    .isEqualTo("SHUTDOWN");
        } finally {
            demo.close();
        }
    }

    private static void awaitOpenStreams(HttpClient http, DemoServer demo, int n) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            var r = http.send(HttpRequest.newBuilder(demo.uri().resolve("/api/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (JSON.readTree(r.body()).get("eventStreams").asInt() == n) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("never " + n + " open streams: " + r.body());
            }
            Thread.sleep(20);
        }
    }

    @Test
    void aPortThatIsNotANumberIsAClearUsageError() {
        assertThatThrownBy(() -> DemoServer.parse(new String[]{"--port", "abc"}))
                .isInstanceOf(DemoServer.UsageException.class)
                .hasMessage("--port must be a number from 0 to 65535 (0: any free port), was 'abc'");
        assertThatThrownBy(() -> DemoServer.parse(new String[]{"--port", "70000"}))
                .hasMessageContaining("was '70000'");
        assertThatThrownBy(() -> DemoServer.parse(new String[]{"--port"}))
                .hasMessage("--port needs a value");
    }

    @Test
    void aPortInUseIsNamedInTheError() throws Exception {
        try (var taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            assertThatThrownBy(() -> DemoServer.start(HttpConfig.builder().port(port).build()))
                    .isInstanceOf(java.net.BindException.class)
                    .hasMessageContaining("127.0.0.1:" + port)
                    .hasMessageContaining("port " + port);
        }
    }

    @Test
    void theLoadCheckCommandsInTheDocsRunOnTheJdkTheProjectFinds() throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "http.md"));
        String section = doc.substring(doc.indexOf("## Load check"));

        assertThat(section.lines().filter(l -> l.startsWith("java ") || l.contains(" java ")))
                .as("commands calling the machine's default java (17 on the build machines)").isEmpty();
        assertThat(section).contains("./weft run dev.weft.demo.LoadCheck").contains("./weft run dev.weft.demo.SseFanoutCheck");
    }
}
