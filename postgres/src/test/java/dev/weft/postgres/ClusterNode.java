package dev.weft.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.weft.jobs.JobHandle;
import dev.weft.jobs.JobRuntime;
import dev.weft.jobs.JobSpec;
import dev.weft.jobs.JobState;
import dev.weft.jobs.JobType;
import dev.weft.scope.Retry;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * One node of a test cluster, in a process of its own: a durable runtime on a real PostgreSQL with the job types
 * the cluster tests use, driven by commands on its standard input (one per line), answering each with a line.
 * Its handlers record what they do in tables of the test's database (committed before and after the work), so
 * the test can check the cluster from outside. Protocol lines start with {@code READY } or {@code ANSWER }; the
 * node's log may share standard output. SIGTERM shuts the node down gracefully; SIGKILL just kills it.
 *
 * <p>Usage: {@code ClusterNode JDBC_URL NODE_NAME HEARTBEAT_MS MAX_RUNNING MAX_PER_GROUP}
 *
 * <p>Commands: {@code submit-mix N} (the node-loss mix), {@code submit-block N} (jobs that block until
 * cancelled), {@code submit-grouped N GROUPS MILLIS}, {@code submit-keyed N KEYS}, {@code cancel-running PACE_MS}
 * (cancels every RUNNING job of another node through this one, recording when), {@code quit}.
 */
public final class ClusterNode {

    /**
     * What a job does: "ok" (return), "fail" (fail for good), "sleep" (work for millis), "block" (until
     * cancelled), "block-first" (block in its first attempt, return in later ones).
     */
    public record Work(int n, String kind, int millis) {
    }

    private ClusterNode() {
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        String name = args[1];
        long heartbeatMs = Long.parseLong(args[2]);
        int maxRunning = Integer.parseInt(args[3]);
        int maxPerGroup = Integer.parseInt(args[4]);
        var config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setMaximumPoolSize(10);
        config.setConnectionTimeout(2_000);
        config.setInitializationFailTimeout(-1);
        HikariDataSource db = new HikariDataSource(config);
        createTables(db);
        long pid = ProcessHandle.current().pid();
        JobType<Work, Long> work = JobType.of("work", Work.class, Long.class, (ctx, w) -> {
            record(db, "INSERT INTO executions (job_id, node, pid, attempt) VALUES (?, ?, ?, ?)",
                    ctx.jobId(), name, pid, ctx.attempt());
            switch (w.kind()) {
                case "fail" -> throw new PermanentFailure("job " + w.n() + " fails for good");
                case "sleep" -> Thread.sleep(w.millis());
                case "block-first" -> {
                    if (ctx.attempt() == 1) {
                        blockUntilInterrupted(db, ctx, name, pid);
                    }
                }
                case "block" -> blockUntilInterrupted(db, ctx, name, pid);
                default -> { }
            }
            return pid; // the result names the process that produced it
        }).withRetry(Retry.attempts(3).retryOn(t -> !(t instanceof PermanentFailure)));
        JobRuntime.Builder b = JobRuntime.builder()
                .store(PostgresJobStore.builder(db).build())
                .nodeName(name)
                .register(work)
                .maxRunning(maxRunning)
                .heartbeat(Duration.ofMillis(heartbeatMs))
                .shutdownGrace(Duration.ofSeconds(5));
        if (maxPerGroup > 0) {
            b.maxRunningPerGroup(maxPerGroup);
        }
        JobRuntime runtime = b.build();
        var stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            runtime.close(); // SIGTERM: graceful shutdown
            db.close();
            stopped.countDown();
        }));
        System.out.println("READY " + runtime.nodes().getFirst().id());
        System.out.flush();
        var in = new BufferedReader(new InputStreamReader(System.in));
        String line;
        while ((line = in.readLine()) != null) {
            String[] c = line.trim().split(" ");
            String answer = switch (c[0]) {
                case "submit-mix" -> submitMix(runtime, work, db, Integer.parseInt(c[1]));
                case "submit-block" -> submitEach(runtime, work, Integer.parseInt(c[1]),
                        n -> JobSpec.named("block").run(work, new Work(n, "block", 0)));
                case "submit-block-first" -> submitEach(runtime, work, Integer.parseInt(c[1]),
                        n -> JobSpec.named("block-first").run(work, new Work(n, "block-first", 0)));
                case "submit-grouped" -> submitEach(runtime, work, Integer.parseInt(c[1]),
                        n -> JobSpec.named("grouped").group("g" + (n % Integer.parseInt(c[2])))
                                .run(work, new Work(n, "sleep", Integer.parseInt(c[3]))));
                case "submit-keyed" -> submitKeyed(runtime, work, db, name, Integer.parseInt(c[1]),
                        Integer.parseInt(c[2]));
                case "cancel-running" -> cancelRunning(runtime, db, name, Long.parseLong(c[1]));
                case "quit" -> {
                    System.out.println("BYE");
                    System.out.flush();
                    System.exit(0);
                    yield "";
                }
                default -> "ERROR unknown command " + line;
            };
            System.out.println("ANSWER " + answer);
            System.out.flush();
        }
        stopped.await();
    }

    private static void createTables(HikariDataSource db) throws SQLException {
        try (Connection c = db.getConnection(); var s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS executions (job_id text, node text, pid bigint, attempt int, "
                    + "at timestamptz DEFAULT clock_timestamp())");
            s.execute("CREATE TABLE IF NOT EXISTS interrupts (job_id text, node text, pid bigint, at_micros bigint, "
                    + "kind text, detail text)");
            s.execute("CREATE TABLE IF NOT EXISTS cancels (job_id text, node text, at_micros bigint, accepted boolean)");
            s.execute("CREATE TABLE IF NOT EXISTS submitted (n int, job_id text, node text, kind text, "
                    + "cancelled boolean)");
        } catch (SQLException e) {
            if (!"23505".equals(e.getSQLState()) && !"42P07".equals(e.getSQLState())) {
                throw e; // nodes starting together may race on CREATE TABLE IF NOT EXISTS
            }
        }
    }

    interface SpecOf {
        JobSpec<Long> spec(int n);
    }

    private static String submitEach(JobRuntime runtime, JobType<Work, Long> work, int count, SpecOf specs) {
        List<JobSpec<Long>> all = new ArrayList<>();
        for (int n = 0; n < count; n++) {
            all.add(specs.spec(n));
        }
        runtime.submitAll(all);
        return "SUBMITTED " + count;
    }

    /** The node-loss mix: quick, failing, sleeping, de-duplicated and cancelled jobs, recorded in `submitted`. */
    private static String submitMix(JobRuntime runtime, JobType<Work, Long> work, HikariDataSource db, int count)
            throws Exception {
        Object[][] rows = new Object[count][];
        int threads = 16;
        try (var submitters = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < threads; t++) {
                int first = t;
                submitters.submit(() -> {
                    for (int n = first; n < count; n += threads) {
                        String kind = n % 10 == 3 ? "fail" : n % 10 == 7 ? "sleep" : "ok";
                        int millis = kind.equals("sleep") ? 200 + (n % 7) * 100 : 0;
                        var builder = JobSpec.named("work").priority(n % 3);
                        if (n % 25 == 0) {
                            builder.key("dedupe-" + (n / 50)); // pairs of submits share a key
                        }
                        JobHandle<Long> h = runtime.submit(builder.run(work, new Work(n, kind, millis)));
                        boolean cancelled = n % 40 == 11 && h.cancel("the test cancels every 40th job");
                        rows[n] = new Object[]{n, h.id(), kind, cancelled};
                    }
                    return null;
                });
            }
        }
        try (Connection c = db.getConnection();
             var ps = c.prepareStatement("INSERT INTO submitted (n, job_id, kind, cancelled) VALUES (?, ?, ?, ?)")) {
            for (Object[] r : rows) {
                ps.setInt(1, (Integer) r[0]);
                ps.setString(2, (String) r[1]);
                ps.setString(3, (String) r[2]);
                ps.setBoolean(4, (Boolean) r[3]);
                ps.addBatch();
            }
            ps.executeBatch();
        }
        return "SUBMITTED " + count;
    }

    /** Submits {@code count} sleeping jobs over {@code keys} keys, recording which job each submit returned. */
    private static String submitKeyed(JobRuntime runtime, JobType<Work, Long> work, HikariDataSource db, String node,
                                      int count, int keys) throws SQLException {
        List<JobSpec<Long>> specs = new ArrayList<>();
        for (int n = 0; n < count; n++) {
            specs.add(JobSpec.named("keyed").key("k-" + (n % keys)).run(work, new Work(n, "sleep", 2_000)));
        }
        List<JobHandle<Long>> handles = new ArrayList<>();
        for (JobSpec<Long> s : specs) {
            handles.add(runtime.submit(s)); // one by one: each races the other nodes' submits of its key
        }
        try (Connection c = db.getConnection();
             var ps = c.prepareStatement("INSERT INTO submitted (n, job_id, node, kind) VALUES (?, ?, ?, 'keyed')")) {
            for (int n = 0; n < count; n++) {
                ps.setInt(1, n % keys);
                ps.setString(2, handles.get(n).id());
                ps.setString(3, node);
                ps.addBatch();
            }
            ps.executeBatch();
        }
        return "SUBMITTED " + count;
    }

    /** Cancels, through this node, every job RUNNING on another node, one every {@code paceMs}, recording when. */
    private static String cancelRunning(JobRuntime runtime, HikariDataSource db, String self, long paceMs)
            throws Exception {
        String selfId = runtime.nodes().getFirst().id();
        List<String> ids = new ArrayList<>();
        try (Connection c = db.getConnection(); var ps = c.prepareStatement(
                "SELECT id::text FROM weft_jobs WHERE state = 'RUNNING' AND node <> ? ORDER BY seq")) {
            ps.setString(1, selfId);
            try (var rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
        }
        List<Object[]> rows = new ArrayList<>();
        for (String id : ids) {
            long at = micros(Instant.now());
            boolean accepted = runtime.cancel(id, "cancelled by the cluster test");
            rows.add(new Object[]{id, at, accepted});
            if (paceMs > 0) {
                Thread.sleep(paceMs); // pacing the load, not ordering anything
            }
        }
        try (Connection c = db.getConnection(); var ps = c.prepareStatement(
                "INSERT INTO cancels (job_id, node, at_micros, accepted) VALUES (?, ?, ?, ?)")) {
            for (Object[] r : rows) {
                ps.setString(1, (String) r[0]);
                ps.setString(2, self);
                ps.setLong(3, (Long) r[1]);
                ps.setBoolean(4, (Boolean) r[2]);
                ps.addBatch();
            }
            ps.executeBatch();
        }
        long states = ids.stream().filter(id -> runtime.get(id).state() != JobState.CANCELLED).count();
        return "CANCELLED " + ids.size() + " " + states;
    }

    private static void blockUntilInterrupted(HikariDataSource db, dev.weft.jobs.JobContext ctx, String name,
                                              long pid) throws Exception {
        try {
            new CountDownLatch(1).await();
        } catch (InterruptedException e) {
            Instant at = Instant.now();
            var why = ctx.cancellationReason();
            record(db, "INSERT INTO interrupts (job_id, node, pid, at_micros, kind, detail) VALUES (?, ?, ?, ?, ?, ?)",
                    ctx.jobId(), name, pid, micros(at), why.map(r -> r.kind().name()).orElse("NONE"),
                    why.map(r -> r.detail()).orElse(""));
            throw e;
        }
    }

    private static long micros(Instant at) {
        return at.getEpochSecond() * 1_000_000 + at.getNano() / 1_000;
    }

    private static void record(HikariDataSource db, String sql, Object... values) throws SQLException {
        try (Connection c = db.getConnection(); var ps = c.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) {
                ps.setObject(i + 1, values[i]);
            }
            ps.executeUpdate();
        }
    }

    /** A failure that the retry policy does not retry. */
    static final class PermanentFailure extends RuntimeException {
        PermanentFailure(String message) {
            super(message);
        }
    }
}
