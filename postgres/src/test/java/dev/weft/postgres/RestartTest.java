package dev.weft.postgres;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The backend survives a restart, with real processes and real signals: a node process ({@link RestartNode})
 * submits 10,000 jobs (quick, failing, long, de-duplicated and cancelled ones) and runs them on a real
 * PostgreSQL; it is killed mid-run, and a second node process finishes the work. Every job must reach exactly
 * one terminal state, none may be lost, and none may run twice unless it was RUNNING when the first node died.
 */
class RestartTest {

    private static final long PATIENCE_NANOS = TimeUnit.MINUTES.toNanos(4);

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void afterSigkillMidRunEveryJobEndsOnceAndOnlyJobsRunningAtTheKillRunAgain() throws Exception {
        String url = PostgresFixture.newDatabaseUrl();
        Process first = startNode(url, "submit", 5_000);
        awaitSomeRunning(url);
        first.destroyForcibly(); // SIGKILL
        assertThat(first.waitFor(60, TimeUnit.SECONDS)).isTrue();
        Set<String> runningAtKill = ids(url, "SELECT id::text FROM weft_jobs WHERE state = 'RUNNING'");
        Process second = startNode(url, "run", 5_000);
        awaitAllTerminal(url);
        second.destroy(); // SIGTERM
        assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();

        Map<String, Long> counts = reconcile(url);
        Set<String> ranTwice = ids(url, "SELECT job_id FROM executions GROUP BY job_id HAVING count(*) > 1");
        assertThat(runningAtKill).as("jobs RUNNING at the kill").isNotEmpty();
        assertThat(runningAtKill).containsAll(ranTwice);
        System.out.println("RESTART-TEST sigkill: " + counts + "; RUNNING at the kill " + runningAtKill.size()
                + ", run again after it " + ranTwice.size());
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void afterSigtermNothingThatCouldFinishInTheGraceIsCancelledOrRunTwice() throws Exception {
        String url = PostgresFixture.newDatabaseUrl();
        Process first = startNode(url, "submit", 10_000); // the longest job takes 0.9 s; the grace is 10 s
        awaitSomeRunning(url);
        int runningAtTerm = ids(url, "SELECT id::text FROM weft_jobs WHERE state = 'RUNNING'").size();
        first.destroy(); // SIGTERM
        assertThat(first.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(ids(url, "SELECT id::text FROM weft_jobs WHERE state = 'RUNNING'"))
                .as("no job is left RUNNING by a graceful shutdown").isEmpty();
        assertThat(ids(url, "SELECT id::text FROM weft_jobs WHERE interruptions > 0"))
                .as("no attempt was interrupted: each had time to finish within the grace").isEmpty();
        Process second = startNode(url, "run", 10_000);
        awaitAllTerminal(url);
        second.destroy();
        assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();

        Map<String, Long> counts = reconcile(url);
        assertThat(ids(url, "SELECT job_id FROM executions GROUP BY job_id HAVING count(*) > 1"))
                .as("no job ran twice").isEmpty();
        System.out.println("RESTART-TEST sigterm: " + counts + "; RUNNING at the signal " + runningAtTerm);
    }

    /**
     * Checks that every submitted job is in the store, terminal, with exactly one FINISHED event, in the state
     * its kind calls for; returns the count per state.
     */
    static Map<String, Long> reconcile(String url) throws SQLException {
        return reconcile(url, RestartNode.JOBS);
    }

    static Map<String, Long> reconcile(String url, int jobs) throws SQLException {
        try (Connection c = DriverManager.getConnection(url); var s = c.createStatement()) {
            var rs = s.executeQuery("SELECT count(*), count(DISTINCT job_id) FROM submitted");
            rs.next();
            assertThat(rs.getLong(1)).as("submits recorded").isEqualTo(jobs);
            long distinct = rs.getLong(2);
            rs = s.executeQuery("SELECT count(*) FROM weft_jobs");
            rs.next();
            assertThat(rs.getLong(1)).as("jobs in the store = distinct jobs submitted: none lost, none extra")
                    .isEqualTo(distinct);
            rs = s.executeQuery("SELECT count(*) FROM weft_jobs j WHERE NOT EXISTS "
                    + "(SELECT 1 FROM submitted x WHERE x.job_id = j.id::text)");
            rs.next();
            assertThat(rs.getLong(1)).as("jobs nobody submitted").isZero();
            rs = s.executeQuery("SELECT count(*) FROM weft_jobs j WHERE (SELECT count(*) FROM weft_events e "
                    + "WHERE e.job_id = j.id AND e.type = 'FINISHED') <> 1");
            rs.next();
            assertThat(rs.getLong(1)).as("jobs without exactly one FINISHED event").isZero();
            rs = s.executeQuery("""
                    SELECT j.id, j.state, j.payload::jsonb ->> 'kind',
                           EXISTS (SELECT 1 FROM submitted x WHERE x.job_id = j.id::text AND x.cancelled)
                    FROM weft_jobs j""");
            Map<String, Long> counts = new LinkedHashMap<>();
            while (rs.next()) {
                String state = rs.getString(2);
                String kind = rs.getString(3);
                boolean cancelled = rs.getBoolean(4);
                String expected = cancelled ? "CANCELLED" : kind.equals("fail") ? "FAILED" : "SUCCEEDED";
                assertThat(state).as("job %s (%s%s)", rs.getString(1), kind, cancelled ? ", cancelled" : "")
                        .isEqualTo(expected);
                counts.merge(state, 1L, Long::sum);
            }
            return counts;
        }
    }

    private static Process startNode(String url, String mode, long graceMs) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        Path log = Files.createTempFile("weft-restart-node-", ".log");
        Process p = new ProcessBuilder(java, "--enable-preview", "-Xmx512m",
                "-cp", System.getProperty("java.class.path"), RestartNode.class.getName(), url, mode,
                Long.toString(graceMs))
                .redirectError(log.toFile())
                .start();
        var ready = new CountDownLatch(1);
        Thread reader = new Thread(() -> {
            try (var in = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.equals("READY")) {
                        ready.countDown();
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "restart-node-output");
        reader.setDaemon(true);
        reader.start();
        if (!ready.await(4, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("node (" + mode + ") did not get ready; its log:\n" + Files.readString(log));
        }
        return p;
    }

    /** Waits until some jobs run and some have not finished: the middle of the run. */
    private static void awaitSomeRunning(String url) throws SQLException {
        long deadline = System.nanoTime() + PATIENCE_NANOS;
        while (true) {
            try (Connection c = DriverManager.getConnection(url); var s = c.createStatement();
                 var rs = s.executeQuery("SELECT count(*) FILTER (WHERE state = 'RUNNING'), "
                         + "count(*) FILTER (WHERE state IN ('QUEUED', 'RUNNING')) FROM weft_jobs")) {
                rs.next();
                if (rs.getLong(1) > 0 && rs.getLong(2) > rs.getLong(1)) {
                    return;
                }
                assertThat(rs.getLong(2)).as("jobs left to run when the node was ready").isPositive();
            }
            assertThat(System.nanoTime() - deadline).as("some jobs are running").isNegative();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // polling the store with a deadline
        }
    }

    private static void awaitAllTerminal(String url) throws SQLException {
        long deadline = System.nanoTime() + PATIENCE_NANOS;
        while (true) {
            try (Connection c = DriverManager.getConnection(url); var s = c.createStatement();
                 var rs = s.executeQuery("SELECT count(*) FROM weft_jobs WHERE state IN ('QUEUED', 'RUNNING')")) {
                rs.next();
                if (rs.getLong(1) == 0) {
                    return;
                }
            }
            assertThat(System.nanoTime() - deadline).as("every job reached a terminal state").isNegative();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100)); // polling the store with a deadline
        }
    }

    private static Set<String> ids(String url, String sql) throws SQLException {
        Set<String> ids = new HashSet<>();
        try (Connection c = DriverManager.getConnection(url); var s = c.createStatement(); var rs = s.executeQuery(sql)) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        }
        return ids;
    }
}
