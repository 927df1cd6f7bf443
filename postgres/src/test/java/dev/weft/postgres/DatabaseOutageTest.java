package dev.weft.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.weft.jobs.JobRuntime;
import dev.weft.jobs.JobState;
import dev.weft.jobs.JobType;
import dev.weft.jobs.spi.StoreUnavailableException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The database going away, on a PostgreSQL of the test's own that it stops and restarts: jobs keep running, their
 * ends are written once it is back, health says DEGRADED meanwhile, and a restart needs no manual action.
 */
class DatabaseOutageTest {

    static LocalPostgres pg;
    static HikariDataSource db;

    @BeforeAll
    static void start() {
        pg = LocalPostgres.start(false);
        var config = new HikariConfig();
        config.setJdbcUrl(pg.jdbcUrl());
        config.setMaximumPoolSize(8);
        config.setConnectionTimeout(1_000);
        config.setInitializationFailTimeout(-1);
        db = new HikariDataSource(config);
    }

    @AfterAll
    static void stop() {
        db.close();
        pg.close();
    }

    @Test
    void aJobThatEndsWhileTheDatabaseIsDownIsWrittenWhenItIsBack() throws Exception {
        var started = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        var ended = new CountDownLatch(1);
        var patient = JobType.of("patient", Void.class, String.class, (ctx, p) -> {
            started.countDown();
            release.await();
            ended.countDown();
            return "finished offline";
        });
        try (var rt = JobRuntime.builder().store(PostgresJobStore.builder(db).build()).nodeName("outage")
                .register(patient).lease(Duration.ofSeconds(2)).shutdownGrace(Duration.ZERO).build()) {
            var h = rt.submit(patient, null);
            assertThat(started.await(60, TimeUnit.SECONDS)).isTrue();
            pg.stop();
            release.countDown();
            assertThat(ended.await(60, TimeUnit.SECONDS)).isTrue();
            eventually(() -> rt.health().status() == JobRuntime.Health.Status.DEGRADED);
            assertThat(rt.health().detail()).contains("unreachable");
            assertThatThrownBy(() -> rt.submit(patient, null)).isInstanceOf(StoreUnavailableException.class);
            pg.startAgain();
            assertThat(h.await(Duration.ofSeconds(60))).isEqualTo("finished offline");
            assertThat(rt.get(h.id()).state()).isEqualTo(JobState.SUCCEEDED);
            eventually(() -> rt.health().status() == JobRuntime.Health.Status.UP);
        }
    }

    @Test
    void aPgCtlRestartIsSurvivedWithoutManualAction() throws Exception {
        var echo = JobType.of("echo", String.class, String.class, (ctx, s) -> s);
        try (var rt = JobRuntime.builder().store(PostgresJobStore.builder(db).build()).nodeName("restart")
                .register(echo).pollInterval(Duration.ofHours(1)).shutdownGrace(Duration.ZERO).build()) {
            assertThat(rt.submit(echo, "before").await(Duration.ofSeconds(60))).isEqualTo("before");
            pg.restart();
            // the first submits after the restart may meet the dropped connections; the runtime recovers
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            String after = null;
            while (after == null) {
                try {
                    after = rt.submit(echo, "after").await(Duration.ofSeconds(60));
                } catch (StoreUnavailableException e) {
                    assertThat(System.nanoTime() - deadline).as("submits work again").isNegative();
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100)); // retrying with a deadline
                }
            }
            assertThat(after).isEqualTo("after");
            eventually(() -> rt.health().status() == JobRuntime.Health.Status.UP);
        }
    }

    @Test
    void aListenerSubscribedWhileTheDatabaseIsDownGetsTheEventsWrittenOnceItIsBack() throws Exception {
        var echo = JobType.of("echo-later", String.class, String.class, (ctx, s) -> s);
        var finished = new CountDownLatch(1);
        try (var rt = JobRuntime.builder().store(PostgresJobStore.builder(db).build()).nodeName("subscriber")
                .register(echo).shutdownGrace(Duration.ZERO).build()) {
            pg.stop();
            try {
                rt.subscribe(e -> {
                    if (e.type() == dev.weft.jobs.JobEvent.Type.FINISHED) {
                        finished.countDown();
                    }
                });
            } finally {
                pg.startAgain();
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (true) {
                try {
                    rt.submit(echo, "back");
                    break;
                } catch (StoreUnavailableException e) {
                    assertThat(System.nanoTime() - deadline).as("submits work again").isNegative();
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100)); // retrying with a deadline
                }
            }
            assertThat(finished.await(60, TimeUnit.SECONDS)).as("the listener got the job's FINISHED").isTrue();
        }
    }

    @Test
    void startingWhileTheDatabaseIsDownFailsWithTheUrlAndNoPassword() {
        var config = new HikariConfig();
        config.setJdbcUrl("jdbc:postgresql://127.0.0.1:1/weft?user=weft&password=hunter2");
        config.setConnectionTimeout(1_000);
        config.setInitializationFailTimeout(-1);
        try (var unreachable = new HikariDataSource(config)) {
            var echo = JobType.of("echo", String.class, String.class, (ctx, s) -> s);
            assertThatThrownBy(() -> JobRuntime.builder().store(PostgresJobStore.builder(unreachable).build())
                    .register(echo).build())
                    .isInstanceOf(StoreUnavailableException.class)
                    .hasMessageContaining("127.0.0.1:1")
                    .hasMessageNotContaining("hunter2");
        }
    }

    @Test
    void aNodeShutsDownPromptlyWhileTheDatabaseIsDown() throws Exception {
        var config = new HikariConfig();
        config.setJdbcUrl(pg.jdbcUrl());
        config.setMaximumPoolSize(4);
        config.setConnectionTimeout(30_000); // HikariCP's default
        try (var slowPool = new HikariDataSource(config)) {
            var rt = JobRuntime.builder().store(PostgresJobStore.builder(slowPool).build()).nodeName("leaving")
                    .heartbeat(Duration.ofMillis(200)).shutdownGrace(Duration.ZERO).build();
            boolean stopped = false;
            try {
                pg.stop();
                stopped = true;
                slowPool.getHikariPoolMXBean().softEvictConnections(); // no idle connection to fail fast with
                eventually(() -> rt.health().status() == JobRuntime.Health.Status.DEGRADED);
                long start = System.nanoTime();
                rt.close();
                long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                // neither deregistering nor the listening thread's reconnect may wait out the pool's 30 s
                assertThat(tookMs).as("close() took %d ms", tookMs).isLessThan(20_000);
            } finally {
                rt.close();
                if (stopped) {
                    pg.startAgain();
                    db.getHikariPoolMXBean().softEvictConnections(); // the shared pool's connections died with it
                }
            }
        }
    }

    private static void eventually(BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as("the condition became true in time").isNegative();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // polling with a deadline
        }
    }
}
