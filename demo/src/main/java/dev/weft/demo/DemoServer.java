package dev.weft.demo;

import dev.weft.http.HttpConfig;
import dev.weft.http.JobApi;
import dev.weft.http.WeftHttpServer;
import dev.weft.jobs.JobRuntime;
import dev.weft.jobs.JobSpec;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;

/**
 * The Weft demo: an in-memory job runtime served over HTTP with a live dashboard.
 *
 * <pre>
 *   ./weft demo                 # http://127.0.0.1:8080/
 *   ./weft demo --port 9090     # another port (0: any free one)
 *   ./weft demo --bind 0.0.0.0 --token s3cret   # other hosts; POSTs then need the token
 * </pre>
 */
public final class DemoServer implements AutoCloseable {

    private final JobRuntime runtime;
    private final WeftHttpServer server;

    private DemoServer(JobRuntime runtime, WeftHttpServer server) {
        this.runtime = runtime;
        this.server = server;
    }

    /** Starts the demo with {@code config} (its port may be 0). */
    public static DemoServer start(HttpConfig config) throws IOException {
        JobRuntime runtime = JobRuntime.builder().name("demo").maxRunning(16).maxQueued(10_000)
                .progressInterval(Duration.ofMillis(100)).shutdownGrace(Duration.ofSeconds(1)).build();
        try {
            var holder = new JobApi[1];
            JobApi api = JobApi.builder(runtime).config(config)
                    .staticResources("/dev/weft/demo/web")
                    .route("GET", "/api/quote", req -> new QuoteEndpoint(holder[0]).handle(req))
                    .route("GET", "/api/demo/samples", req -> holder[0].json(200, SampleJobs.ALL.keySet()))
                    .route("POST", "/api/demo/jobs", req -> {
                        String sample = req.param("sample").orElse("");
                        Supplier<JobSpec<?>> spec = SampleJobs.ALL.get(sample);
                        if (spec == null) {
                            return holder[0].error(400, "unknown sample '" + sample + "'; one of "
                                    + SampleJobs.ALL.keySet(), req.path());
                        }
                        var handle = runtime.submit(spec.get());
                        return holder[0].json(201, handle.record());
                    })
                    .build();
            holder[0] = api;
            return new DemoServer(runtime, WeftHttpServer.start(api));
        } catch (IOException | RuntimeException e) {
            runtime.close();
            throw e;
        }
    }

    public URI uri() {
        return server.uri();
    }

    public JobRuntime runtime() {
        return runtime;
    }

    @Override
    public void close() {
        server.close();
        runtime.close();
    }

    public static void main(String[] args) throws Exception {
        HttpConfig.Builder config = HttpConfig.builder().port(8080);
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> config.port(Integer.parseInt(value(args, ++i, "--port")));
                case "--bind" -> config.bind(value(args, ++i, "--bind"));
                case "--token" -> config.bearerToken(value(args, ++i, "--token"));
                case "--stack-traces" -> config.exposeStackTraces(true);
                case "-h", "--help" -> {
                    System.out.println("usage: ./weft demo [--port N] [--bind HOST --token TOKEN] [--stack-traces]");
                    return;
                }
                default -> {
                    System.err.println("unknown argument " + args[i] + "; try --help");
                    System.exit(2);
                }
            }
        }
        DemoServer demo;
        try {
            demo = start(config.build());
        } catch (IllegalStateException | IOException e) {
            System.err.println("weft demo: " + e.getMessage());
            System.exit(1);
            return;
        }
        var stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            demo.close();
            stopped.countDown();
        }, "weft-demo-shutdown"));
        System.out.println("Weft demo serving on " + demo.uri() + "/  (Ctrl-C to stop)");
        stopped.await();
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) {
            System.err.println(flag + " needs a value");
            System.exit(2);
        }
        return args[i];
    }

}
