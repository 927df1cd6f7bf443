package dev.weft.servlet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.http.HttpConfig;
import dev.weft.http.JobApi;
import dev.weft.jobs.JobHandle;
import dev.weft.jobs.JobRuntime;
import dev.weft.jobs.JobSpec;
import dev.weft.jobs.JobState;
import dev.weft.jobs.JobType;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link WeftServlet} on a real embedded Jetty 12 (ee10), mounted at {@code /app/weft/*}. */
class WeftServletJettyTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    record Greet(String name) {
    }

    private final CountDownLatch gate = new CountDownLatch(1);
    private final JobType<Greet, String> greet = JobType.of("greet", Greet.class, String.class, (ctx, g) -> {
        gate.await();
        return "hello " + g.name();
    });

    private JobRuntime runtime;
    private JobApi api;
    private WeftServlet servlet;
    private Server jetty;
    private ServerConnector connector;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(WAIT).build();

    private void start(String host, UnaryOperator<HttpConfig.Builder> config) throws Exception {
        runtime = JobRuntime.builder().register(greet).shutdownGrace(Duration.ZERO).build();
        api = JobApi.builder(runtime).config(config.apply(HttpConfig.builder()).build())
                .submittable(greet).staticResources("/weft-test-web").build();
        servlet = new WeftServlet(api);
        jetty = new Server();
        connector = new ServerConnector(jetty);
        connector.setHost(host);
        connector.setPort(0);
        jetty.addConnector(connector);
        var context = new ServletContextHandler("/app");
        var holder = new ServletHolder("weft", servlet);
        holder.setAsyncSupported(true);
        context.addServlet(holder, "/weft/*");
        jetty.setHandler(context);
        jetty.start();
    }

    private void start() throws Exception {
        start("127.0.0.1", c -> c);
    }

    @AfterEach
    void stop() throws Exception {
        gate.countDown();
        if (runtime != null) {
            runtime.close();        // first: the jobs end, their last events are delivered
            api.finishEventStreams(); // then: open streams send them and end
            api.awaitNoEventStreams(WAIT);
            jetty.stop();           // destroys the servlet
            api.close();
        }
        http.close();
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().startsWith("weft-servlet-"));
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + connector.getLocalPort() + path);
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(WAIT).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> r) throws IOException {
        return JSON.readTree(r.body());
    }

    /** Reads an event stream's {@code data:} lines on a virtual thread. */
    private static final class Events implements AutoCloseable {
        final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final HttpResponse<InputStream> response;
        private final Thread reader;

        Events(HttpClient http, URI uri) throws IOException, InterruptedException {
            response = http.send(HttpRequest.newBuilder(uri).header("Accept", "text/event-stream").build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            reader = Thread.ofVirtual().start(() -> {
                try (var in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    // closed
                }
                lines.add("<end>");
            });
        }

        /** The next event's data whose job has {@code name} and type {@code type}. */
        JsonNode next(String type, String name) throws Exception {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (true) {
                String line = lines.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                assertThat(line).as("an event %s of %s in time", type, name).isNotNull().isNotEqualTo("<end>");
                if (line.startsWith("data: ")) {
                    JsonNode event = JSON.readTree(line.substring(6));
                    if (event.path("type").asText().equals(type) && event.path("job").path("name").asText()
                            .equals(name)) {
                        return event;
                    }
                }
            }
        }

        @Override
        public void close() throws Exception {
            response.body().close();
            reader.join(WAIT);
        }
    }

    @Test
    void theJsonEndpointsAnswerUnderTheMountPath() throws Exception {
        start();
        var job = runtime.submit("listed", ctx -> 1);
        job.await();

        var health = get("/app/weft/api/health");
        var jobs = get("/app/weft/api/jobs?state=SUCCEEDED");
        var one = get("/app/weft/api/jobs/" + job.id());
        var missing = get("/app/weft/api/jobs/nope");

        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(json(health).get("status").asText()).isEqualTo("UP");
        assertThat(health.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(json(jobs).get("total").asInt()).isEqualTo(1);
        assertThat(json(one).get("state").asText()).isEqualTo("SUCCEEDED");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(json(missing).get("path").asText()).isEqualTo("/api/jobs/nope");
    }

    @Test
    void aSubmittedJobAnswers201WithItsUrlUnderTheMountPath() throws Exception {
        start();

        var r = post("/app/weft/api/jobs", "{\"type\": \"greet\", \"payload\": {\"name\": \"jetty\"}}");
        var bad = post("/app/weft/api/jobs", "{\"type\": \"greet\", \"payload\": {\"nmae\": \"jetty\"}}");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        String location = r.headers().firstValue("Location").orElseThrow();
        assertThat(location).isEqualTo("/app/weft/api/jobs/" + json(r).get("id").asText());
        assertThat(json(get(location)).get("name").asText()).isEqualTo("greet");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(json(bad).get("error").asText()).contains("payload.nmae is not a field of Greet");
        gate.countDown();
        assertThat(runtime.handle(json(r).get("id").asText()).orElseThrow().await()).isEqualTo("hello jetty");
    }

    @Test
    void eventsArriveOverAnAsyncResponseAndCancelEndsTheJob() throws Exception {
        start();
        try (var events = new Events(http, uri("/app/weft/api/events"))) {
            assertThat(events.response.statusCode()).isEqualTo(200);
            assertThat(events.response.headers().firstValue("Content-Type")).hasValueSatisfying(
                    t -> assertThat(t).startsWith("text/event-stream"));
            var submitted = post("/app/weft/api/jobs", "{\"type\": \"greet\", \"payload\": {\"name\": \"sse\"}}");
            String id = json(submitted).get("id").asText();
            assertThat(events.next("STARTED", "greet").get("job").get("id").asText()).isEqualTo(id);

            var cancel = post("/app/weft/api/jobs/" + id + "/cancel", "{\"reason\": \"not needed\"}");

            assertThat(cancel.statusCode()).isEqualTo(200);
            assertThat(json(cancel).get("cancelled").asBoolean()).isTrue();
            JsonNode finished = events.next("FINISHED", "greet");
            assertThat(finished.get("job").get("state").asText()).isEqualTo(JobState.CANCELLED.name());
            assertThat(servlet.openEventStreams()).isEqualTo(1);
        }
    }

    @Test
    void theDashboardsIndexIsServedUnderTheMountPath() throws Exception {
        start();

        var bare = http.send(HttpRequest.newBuilder(uri("/app/weft")).build(), HttpResponse.BodyHandlers.ofString());
        var index = get("/app/weft/");

        assertThat(bare.statusCode()).isEqualTo(302);
        assertThat(bare.headers().firstValue("Location").orElseThrow()).endsWith("/app/weft/");
        assertThat(index.statusCode()).isEqualTo(200);
        assertThat(index.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/html");
        assertThat(index.body()).contains("<title>Weft jobs");
    }

    @Test
    void aClientThatStopsReadingIsDisconnectedWithoutHoldingJobs() throws Exception {
        start("127.0.0.1", c -> c.clientBufferEvents(8));
        try (var socket = new Socket()) {
            socket.setReceiveBufferSize(1024);
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), connector.getLocalPort()));
            OutputStream out = socket.getOutputStream();
            out.write(("GET /app/weft/api/events HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            awaitStreams(1);

            var handles = new ArrayList<JobHandle<Integer>>();
            for (int i = 0; i < 500; i++) {
                handles.add(runtime.submit(JobSpec.named("burst").body(ctx -> 1)));
            }
            for (var h : handles) {
                assertThat(h.awaitCompletion(WAIT)).isTrue();
            }

            awaitStreams(0); // dropped: its slot is free and its thread ended
            assertThat(api.openEventStreams()).isZero();
        }
    }

    @Test
    void aNonLoopbackClientIsRefusedWithoutAToken() throws Exception {
        InetAddress external = nonLoopbackAddress();
        Assumptions.assumeTrue(external != null, "this machine has no non-loopback IPv4 address");
        start(external.getHostAddress(), c -> c.allowedHosts("*"));

        var r = http.send(HttpRequest.newBuilder(URI.create("http://" + external.getHostAddress() + ":"
                + connector.getLocalPort() + "/app/weft/api/jobs")).timeout(WAIT).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(json(r).get("error").asText()).contains("loopback clients only");
    }

    @Test
    void destroyingTheServletEndsOpenStreamsAndItsThreads() throws Exception {
        start();
        try (var events = new Events(http, uri("/app/weft/api/events"))) {
            awaitStreams(1);

            servlet.destroy();

            assertThat(servlet.openEventStreams()).isZero();
            assertThat(api.openEventStreams()).isZero();
            assertThat(get("/app/weft/api/health").statusCode()).isEqualTo(503);
        }
    }

    private void awaitStreams(int n) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (servlet.openEventStreams() != n || api.openEventStreams() != n) {
            assertThat(System.nanoTime()).as("%d open streams in time (servlet %d, api %d)", n,
                    servlet.openEventStreams(), api.openEventStreams()).isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    private static InetAddress nonLoopbackAddress() throws IOException {
        for (NetworkInterface nif : NetworkInterface.networkInterfaces().toList()) {
            if (!nif.isUp() || nif.isLoopback()) {
                continue;
            }
            for (InetAddress a : nif.inetAddresses().toList()) {
                if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
                    return a;
                }
            }
        }
        return null;
    }
}
