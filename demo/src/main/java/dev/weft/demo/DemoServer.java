package dev.weft.demo;

import dev.weft.http.HttpConfig;
import dev.weft.http.JobApi;
import dev.weft.http.WeftHttpServer;
import dev.weft.jobs.JobRuntime;
import dev.weft.jobs.JobSpec;
import dev.weft.jobs.spi.JobStore;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;

/**
 * The Weft demo: a job runtime served over HTTP with a live dashboard, in memory or on PostgreSQL.
 *
 * <pre>
 *   ./weft demo                 # http://127.0.0.1:8080/, in memory
 *   ./weft demo --postgres      # the same on a local PostgreSQL that the demo starts (and removes at exit)
 *   ./weft demo --postgres jdbc:postgresql://host/db?user=u&amp;password=p   # on your PostgreSQL
 *   ./weft demo --port 9090     # another port (0: any free one)
 *   ./weft demo --bind 0.0.0.0 --token s3cret   # other hosts; every API request then needs the token
 * </pre>
 */
public final class DemoServer implements AutoCloseable {

    private final JobRuntime runtime;
    private final WeftHttpServer server;
    private final AutoCloseable storage;

    private DemoServer(JobRuntime runtime, WeftHttpServer server, AutoCloseable storage) {
        this.runtime = runtime;
        this.server = server;
        this.storage = storage;
    }

    /** Starts the demo in memory with {@code config} (its port may be 0). */
    public static DemoServer start(HttpConfig config) throws IOException {
        return start(config, null, null);
    }

    /**
     * Starts the demo with {@code config} on {@code store} (null: in memory); {@code storage} (may be null) is
     * closed after the runtime, e.g. the store's data source and database.
     */
    public static DemoServer start(HttpConfig config, JobStore store, AutoCloseable storage) throws IOException {
        return start(config, store, storage, "demo");
    }

    /** As {@link #start(HttpConfig, JobStore, AutoCloseable)}, as node {@code nodeName} of a cluster on the store. */
    public static DemoServer start(HttpConfig config, JobStore store, AutoCloseable storage, String nodeName)
            throws IOException {
        JobRuntime.Builder builder = JobRuntime.builder().name("demo").maxRunning(16).maxQueued(10_000)
                .register(SampleJobs.TYPES)
                .progressInterval(Duration.ofMillis(100)).shutdownGrace(Duration.ofSeconds(1));
        if (store != null) {
            builder.store(store).nodeName(nodeName);
        }
        JobRuntime runtime = builder.build();
        try {
            JobApi api = JobApi.builder(runtime).config(config)
                    .staticResources("/dev/weft/demo/web")
                    .submittable(SampleJobs.TYPES)
                    .route("GET", "/api/quote", new QuoteEndpoint())
                    .route("GET", "/api/demo/samples", (req, res) -> res.json(200, SampleJobs.ALL.keySet()))
                    .route("POST", "/api/demo/jobs", (req, res) -> {
                        String sample = req.param("sample").orElse("");
                        Supplier<JobSpec<?>> spec = SampleJobs.ALL.get(sample);
                        if (spec == null) {
                            return res.error(400, "unknown sample '" + sample + "'; one of "
                                    + SampleJobs.ALL.keySet(), req);
                        }
                        var handle = runtime.submit(spec.get());
                        return res.json(201, handle.record());
                    })
                    .build();
            return new DemoServer(runtime, WeftHttpServer.start(api), storage);
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

    /**
     * Stops in the order that lets clients see the end: the runtime first (stop admitting, cancel what is left
     * with reason SHUTDOWN, deliver those events), then the server (its event streams send what is queued, then
     * end).
     */
    @Override
    public void close() {
        try {
            runtime.close();
        } finally {
            try {
                server.close();
            } finally {
                closeStorage(storage);
            }
        }
    }

    private static void closeStorage(AutoCloseable storage) {
        if (storage != null) {
            try {
                storage.close();
            } catch (Exception e) {
                System.err.println("weft demo: could not close the storage: " + e);
            }
        }
    }

    public static void main(String[] args) throws Exception {
        DemoServer demo;
        try {
            HttpConfig config = parse(args);
            if (config == null) {
                System.out.println(USAGE);
                return;
            }
            String postgres = postgres(args);
            demo = postgres == null ? start(config) : DemoStorage.startOn(config, postgres, node(args));
        } catch (UsageException e) {
            System.err.println("weft demo: " + e.getMessage() + "\n" + USAGE);
            System.exit(2);
            return;
        } catch (RuntimeException | IOException e) {
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

    static final String USAGE = "usage: ./weft demo [--port N] [--bind HOST --token TOKEN] [--stack-traces]"
            + " [--postgres [JDBC_URL] [--node NAME]]";

    /** A command line that cannot be used; the message says what was wrong and what is allowed. */
    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    /** The configuration the command line asks for, or null for --help. */
    static HttpConfig parse(String[] args) throws UsageException {
        HttpConfig.Builder config = HttpConfig.builder().port(8080);
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> config.port(port(value(args, ++i, "--port")));
                case "--bind" -> {
                    String host = value(args, ++i, "--bind");
                    try {
                        config.bind(host);
                    } catch (IllegalArgumentException e) {
                        throw new UsageException("--bind " + host + ": " + e.getMessage());
                    }
                }
                case "--token" -> config.bearerToken(value(args, ++i, "--token"));
                case "--stack-traces" -> config.exposeStackTraces(true);
                case "--postgres" -> {
                    if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                        String url = args[++i];
                        if (!url.startsWith("jdbc:postgresql:")) {
                            throw new UsageException("--postgres takes a JDBC URL starting with jdbc:postgresql:, "
                                    + "or nothing (a local PostgreSQL is started), was '" + url + "'");
                        }
                    }
                }
                case "--node" -> {
                    String name = value(args, ++i, "--node");
                    if (name.isBlank() || name.length() > 200) {
                        throw new UsageException("--node takes a node name of 1 to 200 characters, was '" + name
                                + "'");
                    }
                    if (postgres(args) == null) {
                        throw new UsageException("--node names this demo's node on a shared PostgreSQL; it needs "
                                + "--postgres");
                    }
                }
                case "-h", "--help" -> {
                    return null;
                }
                default -> throw new UsageException("unknown argument " + args[i]);
            }
        }
        return config.build();
    }

    /**
     * For {@code --postgres}: its JDBC URL, or "" to start a local PostgreSQL; null without {@code --postgres}.
     */
    static String postgres(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--postgres")) {
                return i + 1 < args.length && !args[i + 1].startsWith("--") ? args[i + 1] : "";
            }
        }
        return null;
    }

    /** For {@code --node}: the node's name on the shared store; "demo" without it. */
    static String node(String[] args) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("--node")) {
                return args[i + 1];
            }
        }
        return "demo";
    }

    private static int port(String v) throws UsageException {
        try {
            int port = Integer.parseInt(v);
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new UsageException("--port must be a number from 0 to 65535 (0: any free port), was '" + v + "'");
    }

    private static String value(String[] args, int i, String flag) throws UsageException {
        if (i >= args.length) {
            throw new UsageException(flag + " needs a value");
        }
        return args[i];
    }

}
