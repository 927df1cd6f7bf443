package dev.weft.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.jobs.JobHandle;
import dev.weft.jobs.JobRuntime;
import dev.weft.jobs.JobSpec;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/** A runtime served by a {@link WeftHttpServer} on a loopback ephemeral port, and a client for it. */
final class ServerFixture implements AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(10);
    static final ObjectMapper JSON = new ObjectMapper();

    final JobRuntime runtime;
    final WeftHttpServer server;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(WAIT).version(HttpClient.Version.HTTP_1_1).build();
    private final List<CountDownLatch> gates = new ArrayList<>();

    ServerFixture(UnaryOperator<HttpConfig.Builder> config) throws IOException {
        this(config, api -> api);
    }

    ServerFixture(UnaryOperator<HttpConfig.Builder> config, UnaryOperator<JobApi.Builder> api) throws IOException {
        runtime = JobRuntime.builder().progressInterval(Duration.ofMillis(20)).shutdownGrace(Duration.ZERO).build();
        try {
            server = WeftHttpServer.start(api.apply(JobApi.builder(runtime)
                    .config(config.apply(HttpConfig.builder().port(0).heartbeat(Duration.ofSeconds(60))).build()))
                    .build());
        } catch (IOException | RuntimeException e) {
            runtime.close();
            throw e;
        }
    }

    int port() {
        return server.port();
    }

    /** A job that waits for its gate (released at close), interruptibly. */
    JobHandle<String> gatedJob(String name) {
        var gate = new CountDownLatch(1);
        gates.add(gate);
        return runtime.submit(JobSpec.named(name).body(ctx -> {
            gate.await();
            return "done";
        }));
    }

    HttpResponse<String> send(String method, String path, String body, String... headers)
            throws IOException, InterruptedException {
        var b = HttpRequest.newBuilder(server.uri().resolve(path)).timeout(WAIT)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(String body) throws IOException {
        return JSON.readTree(body);
    }

    /** Waits (at most {@link #WAIT}) until {@code n} event streams are open. */
    void awaitStreams(int n) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (server.api().openEventStreams() != n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("expected " + n + " open streams, have " + server.api().openEventStreams());
            }
            Thread.sleep(5);
        }
    }

    @Override
    public void close() {
        gates.forEach(CountDownLatch::countDown);
        try {
            runtime.close();
        } finally {
            server.close();
            http.close(); // waits for its open exchanges, which the server has ended
        }
        assertThat(server.api().openEventStreams()).isZero();
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().startsWith("weft-http-"));
    }
}
