package dev.weft.spring;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.weft.jobs.JobRuntime;
import dev.weft.postgres.LocalPostgres;
import dev.weft.postgres.PostgresJobStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.health.contributor.Status;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/** Actuator health while the job store's database is down: DOWN at once, without waiting for the pool. */
class WeftHealthIndicatorTest {

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void healthIsDownAtOnceWhileTheStoreIsUnreachableThoughThePoolWouldWaitThirtySeconds() {
        try (var pg = LocalPostgres.start(false)) {
            var config = new HikariConfig();
            config.setJdbcUrl(pg.jdbcUrl());
            config.setMaximumPoolSize(4);
            config.setConnectionTimeout(30_000); // HikariCP's default
            try (var pool = new HikariDataSource(config);
                 var rt = JobRuntime.builder().store(PostgresJobStore.builder(pool).build()).nodeName("probed")
                         .shutdownGrace(Duration.ZERO).build()) {
                var indicator = new WeftHealthIndicator(rt, "PostgresJobStore");
                assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);

                pg.stop();
                pool.getHikariPoolMXBean().softEvictConnections(); // no idle connection to fail fast with
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                while (rt.health().status() == JobRuntime.Health.Status.UP) { // the runtime's next store pass
                    assertThat(System.nanoTime() - deadline).as("the runtime noticed the outage").isNegative();
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // polling with a deadline
                }

                long start = System.nanoTime();
                var health = indicator.health();
                long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertThat(health.getStatus()).isEqualTo(Status.DOWN);
                assertThat(health.getDetails().get("detail").toString()).contains("unreachable");
                assertThat(tookMs).as("health took %d ms", tookMs).isLessThan(10_000);
            }
        }
    }
}
