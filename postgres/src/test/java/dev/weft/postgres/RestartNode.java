package dev.weft.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.weft.jobs.JobHandle;
import dev.weft.jobs.JobRuntime;
import dev.weft.jobs.JobSpec;
import dev.weft.jobs.JobType;
import dev.weft.scope.Retry;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * A job node in a process of its own, for {@link RestartTest}: it runs the {@code work} job type on a
 * PostgreSQL store, and with {@code submit} first submits the test's mix of jobs. It records every start of a
 * handler in the table {@code executions} (committed before the work), every submit's returned id in
 * {@code submitted}, and prints {@code READY} once it runs (and has submitted). SIGTERM shuts it down gracefully
 * (its grace period is the third argument, in ms); SIGKILL just kills it.
 *
 * <p>Usage: {@code RestartNode JDBC_URL submit|run GRACE_MS}
 */
public final class RestartNode {

    /** What a job does: return at once, fail for good, or work for {@code millis}. */
    public record Work(int n, String kind, int millis) {
    }

    static final int JOBS = 10_000;

    private RestartNode() {
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        boolean submit = args[1].equals("submit");
        long graceMs = Long.parseLong(args[2]);
        var config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setMaximumPoolSize(12);
        HikariDataSource db = new HikariDataSource(config);
        try (Connection c = db.getConnection(); var s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS executions (job_id text, pid bigint, at timestamptz default now())");
            s.execute("CREATE TABLE IF NOT EXISTS submitted (n int primary key, job_id text, cancelled boolean)");
        }
        JobType<Work, Integer> work = JobType.of("work", Work.class, Integer.class, (ctx, w) -> {
            recordExecution(db, ctx.jobId());
            switch (w.kind()) {
                case "fail" -> throw new PermanentFailure("job " + w.n() + " fails for good");
                case "long" -> Thread.sleep(w.millis());
                default -> { }
            }
            return w.n();
        }).withRetry(Retry.attempts(3).retryOn(t -> !(t instanceof PermanentFailure)));
        JobRuntime runtime = JobRuntime.builder()
                .store(PostgresJobStore.builder(db).build())
                .nodeName("restart-node")
                .register(work)
                .maxRunning(64)
                .lease(Duration.ofSeconds(5))
                .shutdownGrace(Duration.ofMillis(graceMs))
                .build();
        var stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            runtime.close(); // SIGTERM: graceful shutdown with the grace period
            db.close();
            stopped.countDown();
        }));
        if (submit) {
            submitMix(runtime, work, db);
        }
        System.out.println("READY");
        System.out.flush();
        stopped.await(); // runs until a signal ends the process
    }

    private static void submitMix(JobRuntime runtime, JobType<Work, Integer> work, HikariDataSource db)
            throws Exception {
        Object[][] rows = new Object[JOBS][];
        int threads = 16;
        try (var submitters = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < threads; t++) {
                int first = t;
                submitters.submit(() -> {
                    for (int n = first; n < JOBS; n += threads) {
                        String kind = n % 10 == 3 ? "fail" : n % 10 == 7 ? "long" : "ok";
                        int millis = kind.equals("long") ? 300 + (n % 7) * 100 : 0;
                        var builder = JobSpec.named("work").priority(n % 3);
                        if (n % 25 == 0) {
                            builder.key("dedupe-" + (n / 50)); // pairs of submits share a key
                        }
                        JobHandle<Integer> h = runtime.submit(builder.run(work, new Work(n, kind, millis)));
                        boolean cancelled = n % 40 == 11 && h.cancel("the test cancels every 40th job");
                        rows[n] = new Object[]{n, h.id(), cancelled};
                    }
                    return null;
                });
            }
        }
        try (Connection c = db.getConnection();
             var ps = c.prepareStatement("INSERT INTO submitted (n, job_id, cancelled) VALUES (?, ?, ?)")) {
            for (Object[] r : rows) {
                ps.setInt(1, (Integer) r[0]);
                ps.setString(2, (String) r[1]);
                ps.setBoolean(3, (Boolean) r[2]);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static void recordExecution(HikariDataSource db, String jobId) throws SQLException {
        try (Connection c = db.getConnection();
             var ps = c.prepareStatement("INSERT INTO executions (job_id, pid) VALUES (?, ?)")) {
            ps.setString(1, jobId);
            ps.setLong(2, ProcessHandle.current().pid());
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
