package com.example.reports;

import com.sun.net.httpserver.HttpServer;
import dev.weft.http.JdkHttpServerAdapter;
import dev.weft.http.JobApi;
import dev.weft.jobs.JobRuntime;
import dev.weft.jobs.JobType;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A small server with Weft: a "report" job type that clients submit over HTTP, the jobs API and dashboard, and
 * an application route, all on the JDK's own HTTP server on virtual threads. Run it with
 * {@code java --enable-preview -jar target/reports.jar [port]} and open http://127.0.0.1:8080/.
 */
public final class ReportsServer implements AutoCloseable {

    /** What a client sends to start a report. */
    public record Report(String customer, int months) {
    }

    /** The job type: a name, its payload and result classes, and what it does. */
    static final JobType<Report, String> REPORT = JobType.of("report", Report.class, String.class, (ctx, r) -> {
        ctx.progress().setTotal(r.months());
        for (int m = 1; m <= r.months(); m++) {
            Thread.sleep(50); // a month's worth of work
            ctx.progress().advance();
        }
        return r.months() + " months of " + r.customer();
    });

    private final JobRuntime runtime;
    private final JobApi api;
    private final HttpServer server;
    private final ExecutorService threads;

    private ReportsServer(JobRuntime runtime, JobApi api, HttpServer server, ExecutorService threads) {
        this.runtime = runtime;
        this.api = api;
        this.server = server;
        this.threads = threads;
    }

    /** Starts on 127.0.0.1:{@code port} (0: any free port). */
    public static ReportsServer start(int port) throws IOException {
        JobRuntime runtime = JobRuntime.builder().name("reports").maxRunning(4)
                .register(REPORT).shutdownGrace(Duration.ofSeconds(5)).build();
        JobApi api = JobApi.builder(runtime)
                .submittable(REPORT) // POST /api/jobs {"type": "report", "payload": {...}}
                .route("GET", "/api/hello", (req, res) ->
                        res.json(200, Map.of("hello", req.param("name").orElse("world"))))
                .build();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        server.createContext("/", new JdkHttpServerAdapter(api));
        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(threads);
        server.start();
        return new ReportsServer(runtime, api, server, threads);
    }

    public URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /**
     * Stops in the order that lets clients see the end: the runtime (running jobs finish within the grace, the
     * rest are cancelled), then the event streams (they send those last events and end), then the server.
     */
    @Override
    public void close() throws InterruptedException {
        runtime.close();
        api.finishEventStreams();
        api.awaitNoEventStreams(Duration.ofSeconds(5));
        api.close();
        server.stop(1);
        threads.close();
    }

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
        ReportsServer app = start(port);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                app.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        System.out.println("reports on " + app.uri() + "/ (try: curl -X POST -H 'Content-Type: application/json'"
                + " -d '{\"type\":\"report\",\"payload\":{\"customer\":\"acme\",\"months\":12}}' " + app.uri()
                + "/api/jobs)");
    }
}
