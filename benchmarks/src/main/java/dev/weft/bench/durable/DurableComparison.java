package dev.weft.bench.durable;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.weft.postgres.LocalPostgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The durable-jobs comparison: Weft against db-scheduler and JobRunr, on one PostgreSQL that this program starts
 * itself ({@link LocalPostgres#start()}, fsync on), in one run.
 *
 * <ol>
 *   <li>pgbench: {@code pgbench -i -s 10} in its own database, then {@code pgbench -c 8 -j 2 -T 20 -N}
 *       (simple-update) against the same server: the database's own commit limit; run again after the job
 *       systems, to show how much the machine drifted meanwhile.</li>
 *   <li>Throughput, per system on its own fresh database: a warmup of trivial jobs (run to completion, not
 *       measured), then N trivial jobs submitted with the system's bulk API and run by one node; the clock runs from
 *       just before the first submit until the store records the last job as completed (the handler count reaching
 *       N is reported too). With {@code --rounds K} every system runs K such rounds (each on a fresh database,
 *       the order of the systems rotated each round) and the median is reported.</li>
 *   <li>Submit-to-start latency, per system on another fresh database: one job at a time after an idle pause; the
 *       submitter takes {@code System.nanoTime()} just before the submit call, the handler first thing.</li>
 * </ol>
 *
 * <p>With {@code --nodes 1,2,3} the program runs the many-node comparison instead of steps 2 and 3: for each node
 * count N, each system is run by N nodes on one fresh database, each node a JVM of its own ({@link ManyNodes}),
 * and the CPU that PostgreSQL, the nodes and the rest of the machine used is reported ({@link ManyNodesReport}).
 *
 * <p>A system that cannot run here (Weft before its PostgreSQL store lands) is skipped with the reason in the
 * output. Results: a markdown table on stdout and in {@code RESULTS/durable-NAME.md}, and one JSON object per line
 * per measurement in {@code RESULTS/durable-NAME.json}.
 */
public final class DurableComparison {

    static final String USAGE = """
            usage: DurableComparison [--jobs N] [--name NAME] [options]
              --jobs N               jobs in each system's throughput run (default 20000)
              --warmup-jobs N        jobs run before it, not measured (default min(2000, N/10))
              --name NAME            results: RESULTS/durable-NAME.md and .json (default: a timestamp)
              --results DIR          RESULTS (default benchmarks/results)
              --latency-samples N    submit-to-start samples per system, at most (default 500)
              --latency-budget S     seconds of latency sampling per system, at most (default 180)
              --latency-pause MS     idle pause before each sample, drawn from MS to 2 MS, plus up to the poll
                                     interval of a system that a local submit does not wake (default 20)
              --rounds K             throughput rounds per system, the median reported (default 1)
              --pgbench-seconds S    pgbench -T (default 20; run before and after the job systems)
              --pool N               HikariCP maximumPoolSize for every system (default 40)
              --systems a,b,c        which systems, in order (default db-scheduler,jobrunr,weft)
              --dbs-threads N        db-scheduler threads (default 20)
              --dbs-limits LO,HI     db-scheduler lock-and-fetch limits (default 1.0,4.0)
              --weft-max-running N   Weft maxRunning (default 32)
              --nodes N[,N...]       many-node runs instead: each system (JobRunr at 1 only) run by N nodes on one
                                     database, each node a JVM of its own, for each N given (e.g. 1,2,3);
                                     throughput only
            """;

    private final Options o;
    private final java.util.Random random = new java.util.Random(23);
    private final List<String> jsonLines = new ArrayList<>();
    private final Map<String, Map<String, Object>> bySystem = new LinkedHashMap<>();
    private final Map<String, List<String>> settings = new LinkedHashMap<>();
    private final Map<String, String> skipped = new LinkedHashMap<>();
    private LocalPostgres pg;
    private String args = "";
    private List<String> argList = List.of();

    private DurableComparison(Options o) {
        this.o = o;
    }

    public static void main(String[] args) throws Exception {
        Options o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("DurableComparison: " + e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
            return;
        }
        DurableComparison run = new DurableComparison(o);
        run.args = String.join(" ", args);
        run.argList = List.of(args);
        run.run();
        System.exit(0);
    }

    private void run() throws Exception {
        String loadBefore = loadAverage();
        Instant began = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        say("durable-jobs comparison '" + o.name() + "': " + o.jobs() + " jobs per system, load average before "
                + loadBefore + ", nproc " + Runtime.getRuntime().availableProcessors());
        pg = LocalPostgres.start();
        try {
            Map<String, String> server = serverSettings();
            say("PostgreSQL " + server.get("server_version") + " on 127.0.0.1:" + pg.port() + ", fsync "
                    + server.get("fsync") + ", synchronous_commit " + server.get("synchronous_commit"));
            PgBench pgbench = new PgBench(pg.binaries(), pg.port());
            PgBench.Result before = pgbench(pgbench, "before");
            if (!o.nodes().isEmpty()) {
                manyNodes(began, loadBefore, server, pgbench, before);
                return;
            }
            for (int round = 1; round <= o.rounds(); round++) {
                List<String> order = new ArrayList<>(o.systems());
                java.util.Collections.rotate(order, -(round - 1));
                for (String system : order) {
                    throughputRound(system, round);
                }
            }
            for (String system : o.systems()) {
                latencyOf(system);
            }
            PgBench.Result after = before == null ? null : pgbench(pgbench, "after");
            String loadAfter = loadAverage();
            json(machine(began, loadBefore, loadAfter, server));
            report(began, loadBefore, loadAfter, server, before, after);
        } finally {
            pg.close();
        }
    }

    // ---------------------------------------------------------------- pgbench

    /** pgbench simple-update; the first call creates and initialises its database. */
    private PgBench.Result pgbench(PgBench bench, String when) {
        try {
            if (when.equals("before")) {
                createDatabase("pgbench");
                say("pgbench: initialising scale 10 ...");
                bench.init("pgbench", 10);
            }
            checkpoint();
            say("pgbench: -c 8 -j 2 -T " + o.pgbenchSeconds() + " -N ...");
            PgBench.Result r = bench.run("pgbench",
                    List.of("-c", "8", "-j", "2", "-T", Integer.toString(o.pgbenchSeconds()), "-N"),
                    o.pgbenchSeconds());
            say(String.format(Locale.ROOT, "pgbench (%s the job systems): %.0f tps (simple-update), latency average "
                    + "%.2f ms", when, r.tps(), r.latencyAverageMillis()));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("measurement", "pgbench");
            m.put("when", when);
            m.put("command", r.command() + " (after pgbench -i -s 10)");
            m.put("tps", round(r.tps(), 1));
            m.put("latency_avg_ms", r.latencyAverageMillis());
            json(m);
            return r;
        } catch (Exception e) {
            say("pgbench (" + when + "): FAILED: " + e.getMessage());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("measurement", "pgbench");
            m.put("when", when);
            m.put("failed", String.valueOf(e.getMessage()));
            json(m);
            return null;
        }
    }

    // ---------------------------------------------------------------- many nodes

    /** The many-node runs ({@code --nodes}): throughput only, each node a process of its own. */
    private void manyNodes(Instant began, String loadBefore, Map<String, String> server, PgBench pgbench,
                           PgBench.Result before) throws Exception {
        long[] backend = new long[1];
        admin(s -> {
            try (ResultSet r = s.executeQuery("select pg_backend_pid()")) {
                r.next();
                backend[0] = r.getLong(1);
            }
        });
        CpuMeter cpu = new CpuMeter(CpuMeter.parentOf(backend[0]));
        Path logs = Files.createTempDirectory("weft-bench-nodes-");
        say("many nodes: " + o.nodes() + " nodes per system, each a JVM of its own (" + String.join(" ",
                NodeProcess.JVM_FLAGS) + "); node logs in " + logs);
        ManyNodes runner = new ManyNodes(o, argList, cpu, logs);
        Map<String, List<ManyNodes.Result>> results = new LinkedHashMap<>();
        Map<String, String> notRun = new LinkedHashMap<>();
        for (int round = 1; round <= o.rounds(); round++) {
            for (int n : o.nodes()) {
                List<String> order = new ArrayList<>(o.systems());
                java.util.Collections.rotate(order, -(round - 1));
                for (String system : order) {
                    String key = ManyNodesReport.key(system, n);
                    if (notRun.containsKey(key)) {
                        continue;
                    }
                    if (system.equals("jobrunr") && n > 1) {
                        notRun.put(key, "JobRunr runs at one node only here: the many-node comparison is with "
                                + "db-scheduler, and JobRunr's 5 s poll makes it a third of db-scheduler's "
                                + "throughput at one node already");
                        continue;
                    }
                    try {
                        String db = database(system, "nodes" + n);
                        ManyNodes.Result r = runner.measure(system, n, pg.jdbcUrl().replace("/postgres?", "/" + db
                                + "?"), contender(system).unfinishedQuery(), this::checkpoint,
                                DurableComparison::say);
                        results.computeIfAbsent(key, k -> new ArrayList<>()).add(r);
                        say(String.format(Locale.ROOT, "%s, %d node%s, round %d: %.0f jobs/s (store-confirmed; "
                                        + "%.2f s in all, submit calls %.2f s, handler count reached at %.2f s; jobs "
                                        + "run per node %s; cores busy: PostgreSQL %.2f, nodes %.2f, this process "
                                        + "%.2f, whole machine %.2f of %.1f)", system, n, n == 1 ? "" : "s", round,
                                r.jobsPerSecond(), r.seconds(), r.submitSeconds(), r.handlerSeconds(),
                                ManyNodesReport.perNode(r.ranPerNode()), r.cpu().postgres(), r.cpu().nodes(),
                                r.cpu().parent(), r.cpu().machineBusy(), r.cpu().machineCores()));
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("measurement", "nodes-throughput");
                        m.put("system", system);
                        m.put("nodes", n);
                        m.put("round", round);
                        m.put("jobs", r.jobs());
                        m.put("warmup_jobs", o.warmupJobs());
                        m.put("seconds", round(r.seconds(), 3));
                        m.put("jobs_per_s", round(r.jobsPerSecond(), 1));
                        m.put("submit_seconds", round(r.submitSeconds(), 3));
                        m.put("handler_seconds", round(r.handlerSeconds(), 3));
                        m.put("jobs_run_per_node", ManyNodesReport.perNode(r.ranPerNode()));
                        m.put("cores_postgres", round(r.cpu().postgres(), 3));
                        m.put("cores_nodes", round(r.cpu().nodes(), 3));
                        m.put("cores_parent", round(r.cpu().parent(), 3));
                        m.put("cores_machine_busy", round(r.cpu().machineBusy(), 3));
                        m.put("cores_machine", round(r.cpu().machineCores(), 3));
                        m.put("load_before", r.load());
                        json(m);
                    } catch (Throwable e) {
                        say(system + ", " + n + " nodes: FAILED: " + e);
                        e.printStackTrace(System.err);
                        notRun.put(key, "failed: " + e);
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("measurement", "failed");
                        m.put("system", system);
                        m.put("nodes", n);
                        m.put("error", String.valueOf(e));
                        json(m);
                    }
                }
            }
        }
        PgBench.Result after = before == null ? null : pgbench(pgbench, "after");
        String loadAfter = loadAverage();
        json(machine(began, loadBefore, loadAfter, server));
        ManyNodesReport report = new ManyNodesReport(o, results, notRun);
        StringBuilder md = new StringBuilder();
        md.append("# Many nodes side by side: ").append(o.name()).append("\n\n");
        header(md, began, loadBefore, loadAfter, server, before, after);
        md.append(report.markdown());
        for (String[] ratio : report.ratios()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("measurement", "nodes-ratio");
            m.put("nodes", Integer.parseInt(ratio[0]));
            m.put("weft_over_db_scheduler", Double.parseDouble(ratio[1]));
            json(m);
        }
        write(md);
    }

    // ---------------------------------------------------------------- one system

    static Contender contender(String system) {
        return switch (system) {
            case "weft" -> new WeftContender();
            case "db-scheduler" -> new DbSchedulerContender();
            case "jobrunr" -> new JobRunrContender();
            default -> throw new IllegalArgumentException("unknown system " + system);
        };
    }

    private void throughputRound(String system, int round) {
        if (skipped.containsKey(system) || bySystem.getOrDefault(system, Map.of()).containsKey("failed")) {
            return;
        }
        Map<String, Object> results = bySystem.computeIfAbsent(system, k -> new LinkedHashMap<>());
        try {
            throughput(system, round, results);
        } catch (Contender.Unavailable e) {
            skip(system, e.getMessage());
        } catch (Throwable e) {
            fail(system, e, results);
        }
    }

    private void latencyOf(String system) {
        Map<String, Object> results = bySystem.computeIfAbsent(system, k -> new LinkedHashMap<>());
        if (skipped.containsKey(system) || results.containsKey("failed")) {
            return;
        }
        try {
            latency(system, results);
        } catch (Contender.Unavailable e) {
            skip(system, e.getMessage());
        } catch (Throwable e) {
            fail(system, e, results);
        }
    }

    private void fail(String system, Throwable e, Map<String, Object> results) {
        say(system + ": FAILED: " + e);
        e.printStackTrace(System.err);
        results.put("failed", String.valueOf(e));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("measurement", "failed");
        m.put("system", system);
        m.put("error", String.valueOf(e));
        json(m);
    }

    private void skip(String system, String why) {
        skipped.put(system, why);
        say(system + ": SKIPPED: " + why);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("measurement", "skipped");
        m.put("system", system);
        m.put("reason", why);
        json(m);
    }

    private void throughput(String system, int round, Map<String, Object> results) throws Exception {
        String db = database(system, "throughput");
        try (HikariDataSource ds = pool(db); Contender c = contender(system)) {
            c.start(ds, o, null);
            settings.put(system, c.settings());
            int warm = o.warmupJobs();
            if (warm > 0) {
                Recorder.arm(warm);
                c.submitMany(1_000_000_000, 1_000_000_000 + warm);
                if (Recorder.awaitAll(timeoutSeconds(warm), TimeUnit.SECONDS) < 0) {
                    throw new IllegalStateException("warmup: only " + Recorder.done() + " of " + warm + " ran");
                }
                awaitStore(c, warm);
            }
            checkpoint();
            int n = o.jobs();
            say(system + ": throughput" + (o.rounds() > 1 ? " round " + round : "") + ", " + n + " jobs (after "
                    + warm + " warmup jobs) ...");
            Recorder.arm(n);
            long t0 = System.nanoTime();
            c.submitMany(0, n);
            long submitted = System.nanoTime();
            long handlersDone = Recorder.awaitAll(timeoutSeconds(n), TimeUnit.SECONDS);
            if (handlersDone < 0) {
                throw new IllegalStateException("throughput: only " + Recorder.done() + " of " + n + " ran within "
                        + timeoutSeconds(n) + " s");
            }
            long firstStart = Recorder.firstStart();
            long storeDone = awaitStore(c, n);
            double seconds = (storeDone - t0) / 1e9;
            double perSecond = n / seconds;
            double handlerPerSecond = n / ((handlersDone - t0) / 1e9);
            add(results, "rounds_jobs_per_s", perSecond);
            add(results, "rounds_submit_s", (submitted - t0) / 1e9);
            add(results, "rounds_first_start_s", (firstStart - t0) / 1e9);
            results.put("jobs_per_s", median(results, "rounds_jobs_per_s"));
            results.put("submit_s", median(results, "rounds_submit_s"));
            results.put("first_start_s", median(results, "rounds_first_start_s"));
            say(String.format(Locale.ROOT, "%s: %.0f jobs/s (store-confirmed; %.2f s in all, submit calls %.2f s; "
                            + "first job started after %.3f s; handler count reached %d at %.0f jobs/s)", system,
                    perSecond, seconds, (submitted - t0) / 1e9, (firstStart - t0) / 1e9, n, handlerPerSecond));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("measurement", "throughput");
            m.put("system", system);
            m.put("round", round);
            m.put("jobs", n);
            m.put("warmup_jobs", warm);
            m.put("seconds", round(seconds, 3));
            m.put("jobs_per_s", round(perSecond, 1));
            m.put("submit_seconds", round((submitted - t0) / 1e9, 3));
            m.put("first_start_seconds", round((firstStart - t0) / 1e9, 3));
            m.put("handler_seconds", round((handlersDone - t0) / 1e9, 3));
            m.put("handler_jobs_per_s", round(handlerPerSecond, 1));
            json(m);
        }
    }

    @SuppressWarnings("unchecked")
    private static void add(Map<String, Object> results, String key, double value) {
        ((List<Double>) results.computeIfAbsent(key, k -> new ArrayList<Double>())).add(value);
    }

    @SuppressWarnings("unchecked")
    private static double median(Map<String, Object> results, String key) {
        List<Double> values = new ArrayList<>((List<Double>) results.get(key));
        values.sort(null);
        int n = values.size();
        return n % 2 == 1 ? values.get(n / 2) : (values.get(n / 2 - 1) + values.get(n / 2)) / 2;
    }

    /** Waits until the store has no unfinished job left; returns the nanoTime at which it saw that. */
    private long awaitStore(Contender c, int n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds(n));
        while (true) {
            long unfinished = c.unfinishedInStore();
            long now = System.nanoTime();
            if (unfinished == 0) {
                return now;
            }
            if (now > deadline) {
                throw new IllegalStateException("the store still holds " + unfinished + " unfinished jobs");
            }
            Thread.sleep(5);
        }
    }

    private void latency(String system, Map<String, Object> results) throws Exception {
        String db = database(system, "latency");
        try (HikariDataSource ds = pool(db); Contender c = contender(system)) {
            c.start(ds, o, null);
            Recorder.arm(Integer.MAX_VALUE);
            int warm = Math.min(20, o.latencySamples());
            long warmBudget = System.nanoTime() + TimeUnit.SECONDS.toNanos(Math.max(1, o.latencyBudgetSeconds() / 5));
            int index = 0;
            for (int i = 0; i < warm && System.nanoTime() < warmBudget; i++) {
                sample(c, index++);
            }
            checkpoint();
            say(system + ": submit-to-start latency, up to " + o.latencySamples() + " samples or "
                    + o.latencyBudgetSeconds() + " s ...");
            long[] samples = new long[o.latencySamples()];
            int n = 0;
            long budget = System.nanoTime() + TimeUnit.SECONDS.toNanos(o.latencyBudgetSeconds());
            while (n < samples.length && System.nanoTime() < budget) {
                samples[n++] = sample(c, index++);
            }
            long[] s = Arrays.copyOf(samples, n);
            Arrays.sort(s);
            double p50 = percentile(s, 0.50) / 1e6;
            double p99 = percentile(s, 0.99) / 1e6;
            double mean = Arrays.stream(s).average().orElse(Double.NaN) / 1e6;
            results.put("p50_ms", p50);
            results.put("p99_ms", p99);
            results.put("samples", n);
            say(String.format(Locale.ROOT, "%s: submit-to-start p50 %.2f ms, p99 %.2f ms (%d samples, min %.2f, "
                    + "max %.2f, mean %.2f ms)", system, p50, p99, n, s[0] / 1e6, s[n - 1] / 1e6, mean));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("measurement", "latency");
            m.put("system", system);
            m.put("samples", n);
            m.put("pause_ms", o.latencyPauseMillis());
            m.put("p50_ms", round(p50, 3));
            m.put("p99_ms", round(p99, 3));
            m.put("min_ms", round(s[0] / 1e6, 3));
            m.put("max_ms", round(s[n - 1] / 1e6, 3));
            m.put("mean_ms", round(mean, 3));
            json(m);
        }
    }

    /** One submit-to-start sample after an idle pause, in nanoseconds. */
    private long sample(Contender c, int index) throws Exception {
        long jitter = c.unwokenPollInterval().toMillis() + o.latencyPauseMillis();
        Thread.sleep(o.latencyPauseMillis() + random.nextLong(jitter + 1));
        Recorder.expect(index);
        long t0 = System.nanoTime();
        c.submitOne(index);
        long started = Recorder.awaitStart(60, TimeUnit.SECONDS);
        if (started < 0) {
            throw new IllegalStateException("latency: job " + index + " did not start within 60 s");
        }
        return started - t0;
    }

    private static long percentile(long[] sorted, double p) {
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private int timeoutSeconds(int jobs) {
        return Math.max(300, jobs / 20);
    }

    // ---------------------------------------------------------------- the report

    /** The command, the machine, the server and pgbench's figures: the head of every report. */
    private void header(StringBuilder md, Instant began, String loadBefore, String loadAfter,
                        Map<String, String> server, PgBench.Result before, PgBench.Result after) {
        md.append("Command: `benchmarks/run-durable-comparison.sh").append(args.isEmpty() ? "" : " " + args)
                .append("`.\n");
        md.append("Run ").append(began).append(", commit ").append(System.getProperty("weft.commit", "unknown"))
                .append(", ").append(System.getProperty("java.vm.name")).append(' ').append(Runtime.version())
                .append(".\nMachine: nproc ").append(Runtime.getRuntime().availableProcessors())
                .append(", load average before ").append(loadBefore).append(", after ").append(loadAfter)
                .append(".\nPostgreSQL ").append(server.get("server_version"))
                .append(" started by the program (LocalPostgres, 127.0.0.1), one server for every measurement: fsync ")
                .append(server.get("fsync")).append(", synchronous_commit ").append(server.get("synchronous_commit"))
                .append(", shared_buffers ").append(server.get("shared_buffers"))
                .append(". Each system gets fresh databases and a HikariCP pool of at most ").append(o.poolSize())
                .append(" connections.\n\n");
        md.append("Database limit: ");
        if (before != null) {
            md.append(String.format(Locale.ROOT, "`pgbench -c 8 -j 2 -T %d -N` (simple-update, scale 10, own "
                    + "database) **%.0f transactions/s** before the job systems ran (latency average %.2f ms)",
                    o.pgbenchSeconds(), before.tps(), before.latencyAverageMillis()));
            md.append(after == null ? ".\n\n" : String.format(Locale.ROOT, ", **%.0f** after them (%.2f ms).%n%n",
                    after.tps(), after.latencyAverageMillis()));
        } else {
            md.append("pgbench failed (see the log).\n\n");
        }
    }

    private static Map<String, Object> machine(Instant began, String loadBefore, String loadAfter,
                                                Map<String, String> server) {
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("measurement", "machine");
        machine.put("began", began.toString());
        machine.put("nproc", Runtime.getRuntime().availableProcessors());
        machine.put("load_before", loadBefore);
        machine.put("load_after", loadAfter);
        machine.put("jdk", System.getProperty("java.vm.name") + " " + Runtime.version());
        machine.put("commit", System.getProperty("weft.commit", "unknown"));
        machine.put("postgres", server.get("server_version"));
        machine.put("fsync", server.get("fsync"));
        machine.put("synchronous_commit", server.get("synchronous_commit"));
        machine.put("shared_buffers", server.get("shared_buffers"));
        return machine;
    }

    private void report(Instant began, String loadBefore, String loadAfter, Map<String, String> server,
                        PgBench.Result before, PgBench.Result after) throws IOException {
        double tps = before == null ? Double.NaN : after == null ? before.tps() : (before.tps() + after.tps()) / 2;
        StringBuilder md = new StringBuilder();
        md.append("# Durable jobs side by side: ").append(o.name()).append("\n\n");
        header(md, began, loadBefore, loadAfter, server, before, after);
        md.append("| System | Throughput (jobs/s) | Jobs per pgbench tx | Submit calls (s) | First start (s) "
                + "| Submit-to-start p50 (ms) | p99 (ms) | Latency samples |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (String system : o.systems()) {
            Map<String, Object> r = bySystem.getOrDefault(system, Map.of());
            md.append("| ").append(system).append(" | ");
            if (skipped.containsKey(system)) {
                md.append("skipped: ").append(skipped.get(system).replace("|", "/")).append(" | | | | | | |\n");
                continue;
            }
            if (r.containsKey("failed") && !r.containsKey("jobs_per_s")) {
                md.append("failed: ").append(r.get("failed").toString().replace("|", "/")).append(" | | | | | | |\n");
                continue;
            }
            md.append(fmt(r.get("jobs_per_s"), 0)).append(spread(r)).append(" | ")
                    .append(r.get("jobs_per_s") instanceof Double d && !Double.isNaN(tps) ? fmt(d / tps, 2) : "")
                    .append(" | ").append(fmt(r.get("submit_s"), 2))
                    .append(" | ").append(fmt(r.get("first_start_s"), 2))
                    .append(" | ").append(fmt(r.get("p50_ms"), 2)).append(" | ").append(fmt(r.get("p99_ms"), 2))
                    .append(" | ").append(r.getOrDefault("samples", "")).append(" |\n");
        }
        md.append("\nThroughput: ").append(o.rounds() > 1 ? "the median of " + o.rounds() + " rounds (min-max in "
                        + "brackets; each round runs the systems in a rotated order, each on a fresh database), "
                        + "each round " : "")
                .append(o.jobs()).append(" trivial jobs per system, submitted with its bulk API ")
                .append("and run by one node, timed from just before the first submit until the store records the ")
                .append("last one completed (after ").append(o.warmupJobs()).append(" warmup jobs). ")
                .append("Submit calls: how long the submitting call(s) took; first start: when the first ")
                .append("measured job's handler ran. ")
                .append("Latency: one job at a time after an idle pause drawn at random from ")
                .append(o.latencyPauseMillis()).append(" to ").append(2 * o.latencyPauseMillis())
                .append(" ms, plus up to the poll interval for a system whose local submit does not wake its ")
                .append("workers (JobRunr: 5 s), so that submits fall at random points of its poll cycle; ")
                .append("nanoTime before the submit call to nanoTime at handler start; up to ")
                .append(o.latencySamples()).append(" samples or ").append(o.latencyBudgetSeconds())
                .append(" s per system, after up to 20 warmup samples.\n\n");
        md.append("Jobs per pgbench tx: the system's jobs/s divided by pgbench's transactions/s on the same server")
                .append(after != null ? " (the mean of before and after)" : "").append(".\n\n");
        md.append("Ratios (throughput): ").append(ratio("weft", "db-scheduler")).append("; ")
                .append(ratio("weft", "jobrunr")).append(".\n\n");
        md.append("Goals of issue 23: Weft's throughput at least 1.5x db-scheduler's: ")
                .append(goal(ratioValue("weft", "db-scheduler"), r -> r >= 1.5))
                .append("; above JobRunr's: ").append(goal(ratioValue("weft", "jobrunr"), r -> r > 1.0))
                .append("; Weft's submit-to-start p50 at most 10 ms: ")
                .append(goal(bySystem.getOrDefault("weft", Map.of()).get("p50_ms") instanceof Double d ? d : null,
                        p -> p <= 10.0))
                .append(".\n\n");
        md.append("## Settings\n\n");
        for (String system : o.systems()) {
            md.append("- **").append(system).append("**: ");
            List<String> s = settings.get(system);
            md.append(s == null ? "(not started: " + skipped.getOrDefault(system, "failed") + ")"
                    : String.join("; ", s)).append('\n');
        }
        md.append('\n');
        Map<String, Object> ratios = new LinkedHashMap<>();
        ratios.put("measurement", "ratios");
        ratios.put("weft_over_db_scheduler", ratioValue("weft", "db-scheduler"));
        ratios.put("weft_over_jobrunr", ratioValue("weft", "jobrunr"));
        json(ratios);

        write(md);
    }

    /** Prints the report and writes it and the JSON lines to the results directory. */
    private void write(StringBuilder md) throws IOException {
        System.out.println();
        System.out.print(md);
        Files.createDirectories(o.resultsDir());
        Path mdFile = o.resultsDir().resolve("durable-" + o.name() + ".md");
        Path jsonFile = o.resultsDir().resolve("durable-" + o.name() + ".json");
        Files.writeString(mdFile, md);
        Files.writeString(jsonFile, String.join("\n", jsonLines) + "\n");
        say("wrote " + mdFile + " and " + jsonFile);
    }

    private String ratio(String a, String b) {
        Double r = ratioValue(a, b);
        return a + "/" + b + " " + (r == null ? "n/a (" + why(a) + why(b) + ")" : fmt(r, 2) + "x");
    }

    @SuppressWarnings("unchecked")
    private String spread(Map<String, Object> r) {
        if (o.rounds() < 2 || !(r.get("rounds_jobs_per_s") instanceof List<?> l) || l.size() < 2) {
            return "";
        }
        List<Double> v = (List<Double>) l;
        return " (" + fmt(java.util.Collections.min(v), 0) + "-" + fmt(java.util.Collections.max(v), 0) + ")";
    }

    private static String goal(Double value, java.util.function.DoublePredicate met) {
        return value == null ? "not measured" : (met.test(value) ? "met" : "NOT met") + " (" + fmt(value, 2) + ")";
    }

    private String why(String system) {
        Object v = bySystem.getOrDefault(system, Map.of()).get("jobs_per_s");
        if (v != null) {
            return "";
        }
        return skipped.containsKey(system) ? system + " skipped" : system + " has no figure";
    }

    private Double ratioValue(String a, String b) {
        Object x = bySystem.getOrDefault(a, Map.of()).get("jobs_per_s");
        Object y = bySystem.getOrDefault(b, Map.of()).get("jobs_per_s");
        return x instanceof Double dx && y instanceof Double dy ? round(dx / dy, 3) : null;
    }

    private static String fmt(Object v, int decimals) {
        return v instanceof Number n ? String.format(Locale.ROOT, "%." + decimals + "f", n.doubleValue()) : "";
    }

    private static double round(double v, int decimals) {
        double f = Math.pow(10, decimals);
        return Math.round(v * f) / f;
    }

    private void json(Map<String, Object> m) {
        StringBuilder b = new StringBuilder("{\"run\":").append(quote(o.name()));
        for (var e : m.entrySet()) {
            b.append(',').append(quote(e.getKey())).append(':');
            Object v = e.getValue();
            b.append(v == null ? "null" : v instanceof Number || v instanceof Boolean ? v.toString() : quote(v.toString()));
        }
        jsonLines.add(b.append('}').toString());
    }

    private static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (ch < 0x20) {
                        b.append(String.format("\\u%04x", (int) ch));
                    } else {
                        b.append(ch);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    // ---------------------------------------------------------------- the database

    private int databases;

    private String database(String system, String phase) throws SQLException {
        String db = (system.replace("-", "_") + "_" + phase + "_" + (++databases)).toLowerCase(Locale.ROOT);
        createDatabase(db);
        return db;
    }

    private void createDatabase(String db) throws SQLException {
        admin(s -> s.execute("CREATE DATABASE " + db));
    }

    private void checkpoint() throws SQLException {
        admin(s -> s.execute("CHECKPOINT"));
    }

    private Map<String, String> serverSettings() throws SQLException {
        Map<String, String> m = new LinkedHashMap<>();
        admin(s -> {
            for (String name : List.of("server_version", "fsync", "synchronous_commit", "shared_buffers")) {
                try (ResultSet r = s.executeQuery("SHOW " + name)) {
                    r.next();
                    m.put(name, r.getString(1));
                }
            }
        });
        return m;
    }

    private interface SqlWork {
        void run(Statement s) throws SQLException;
    }

    private void admin(SqlWork work) throws SQLException {
        try (Connection c = java.sql.DriverManager.getConnection(pg.jdbcUrl()); Statement s = c.createStatement()) {
            work.run(s);
        }
    }

    private HikariDataSource pool(String db) {
        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl(pg.jdbcUrl().replace("/postgres?", "/" + db + "?"));
        cfg.setMaximumPoolSize(o.poolSize());
        cfg.setPoolName(db);
        return new HikariDataSource(cfg);
    }

    // ---------------------------------------------------------------- plumbing

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static void say(String line) {
        System.err.println("[" + Instant.now().truncatedTo(ChronoUnit.SECONDS) + "] " + line);
    }

    static Options parse(String[] args) {
        Map<String, String> a = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String k = args[i];
            if (k.equals("-h") || k.equals("--help")) {
                System.out.print(USAGE);
                System.exit(0);
            }
            if (!k.startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --option value, got '" + k + "'");
            }
            a.put(k.substring(2), args[++i]);
        }
        Supplier<String> stamp = () -> Instant.now().truncatedTo(ChronoUnit.SECONDS).toString().replace(":", "");
        int jobs = positive(a, "jobs", 20_000);
        String name = a.getOrDefault("name", stamp.get());
        if (!name.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("--name may hold letters, digits, '.', '_' and '-' only: " + name);
        }
        String[] limits = a.getOrDefault("dbs-limits", "1.0,4.0").split(",");
        if (limits.length != 2) {
            throw new IllegalArgumentException("--dbs-limits is LOWER,UPPER, e.g. 1.0,4.0");
        }
        List<String> systems = List.of(a.getOrDefault("systems", "db-scheduler,jobrunr,weft").split(","));
        for (String s : systems) {
            if (!List.of("weft", "db-scheduler", "jobrunr").contains(s)) {
                throw new IllegalArgumentException("--systems: unknown system '" + s
                        + "' (known: weft, db-scheduler, jobrunr)");
            }
        }
        Options o = new Options(name, Path.of(a.getOrDefault("results", "benchmarks/results")), jobs,
                a.containsKey("warmup-jobs") ? nonNegative(a, "warmup-jobs") : Math.min(2000, jobs / 10),
                positive(a, "latency-samples", 500), positive(a, "latency-budget", 180),
                nonNegative(a, "latency-pause", 20), positive(a, "pgbench-seconds", 20), positive(a, "pool", 40),
                systems, positive(a, "dbs-threads", 20), Double.parseDouble(limits[0]),
                Double.parseDouble(limits[1]), positive(a, "weft-max-running", 32),
                positive(a, "rounds", 1), nodeCounts(a.get("nodes")));
        a.keySet().removeAll(List.of("jobs", "name", "results", "warmup-jobs", "latency-samples", "latency-budget",
                "latency-pause", "pgbench-seconds", "pool", "systems", "dbs-threads", "dbs-limits",
                "weft-max-running", "rounds", "nodes"));
        if (!a.isEmpty()) {
            throw new IllegalArgumentException("unknown option(s): --" + String.join(", --", a.keySet()));
        }
        return o;
    }

    private static List<Integer> nodeCounts(String value) {
        if (value == null) {
            return List.of();
        }
        List<Integer> counts = new ArrayList<>();
        for (String v : value.split(",")) {
            int n;
            try {
                n = Integer.parseInt(v.trim());
            } catch (NumberFormatException e) {
                n = 0;
            }
            if (n < 1 || n > 16) {
                throw new IllegalArgumentException("--nodes takes node counts from 1 to 16 separated by commas, "
                        + "e.g. 1,2,3; got '" + value + "'");
            }
            counts.add(n);
        }
        return List.copyOf(counts);
    }

    private static int positive(Map<String, String> a, String key, int dflt) {
        int v = a.containsKey(key) ? integer(a, key) : dflt;
        if (v <= 0) {
            throw new IllegalArgumentException("--" + key + " must be a positive number, got " + v);
        }
        return v;
    }

    private static int nonNegative(Map<String, String> a, String key, int dflt) {
        int v = a.containsKey(key) ? integer(a, key) : dflt;
        if (v < 0) {
            throw new IllegalArgumentException("--" + key + " must be 0 or more, got " + v);
        }
        return v;
    }

    private static int nonNegative(Map<String, String> a, String key) {
        return nonNegative(a, key, 0);
    }

    private static int integer(Map<String, String> a, String key) {
        try {
            return Integer.parseInt(a.get(key));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + key + " must be a whole number, got '" + a.get(key) + "'");
        }
    }
}
