package dev.weft.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.weft.jobs.JobState;
import dev.weft.jobs.spi.NewJob;
import dev.weft.jobs.spi.StoreUnavailableException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Database failures as the SPI promises them: unavailable (retry) or refused (with the SQL state). */
class StoreFailuresTest {

    @Test
    void aStoppedServerMakesCallsUnavailableUntilItIsBack() throws InterruptedException {
        try (LocalPostgres pg = LocalPostgres.start(false)) {
            var config = new HikariConfig();
            config.setJdbcUrl(pg.jdbcUrl());
            config.setMaximumPoolSize(4);
            config.setConnectionTimeout(1_000);
            try (HikariDataSource ds = new HikariDataSource(config); PostgresJobStore store = Stores.open(ds)) {
                store.insert(Stores.job("down"));

                pg.stop();

                assertThatThrownBy(() -> store.insert(Stores.job("down"))).isInstanceOf(StoreUnavailableException.class)
                        .hasMessageContaining("insert jobs");
                assertThatThrownBy(store::counts).isInstanceOf(StoreUnavailableException.class);

                pg.startAgain();
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (true) {
                    try {
                        assertThat(store.counts().get(JobState.QUEUED)).isEqualTo(1);
                        break;
                    } catch (StoreUnavailableException e) {
                        assertThat(System.nanoTime() - deadline).as("still unavailable: " + e).isNegative();
                        Thread.sleep(50); // polling a condition with a deadline
                    }
                }
            }
        }
    }

    @Test
    void anotherDatabaseErrorIsAnIllegalStateWithItsSqlState() {
        try (HikariDataSource ds = PostgresFixture.newDatabase(); PostgresJobStore store = Stores.open(ds)) {
            NewJob j = Stores.job("dup");
            store.insert(j);

            assertThatThrownBy(() -> store.insertAll(List.of(Stores.job("dup"), j)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("insert jobs").hasMessageContaining("SQLState 23505");
            assertThat(store.counts().get(JobState.QUEUED)).as("nothing of the failed batch is written").isEqualTo(1);
        }
    }
}
