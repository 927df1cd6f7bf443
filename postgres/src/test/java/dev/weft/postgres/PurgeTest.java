package dev.weft.postgres;

import com.zaxxer.hikari.HikariDataSource;
import dev.weft.jobs.JobState;
import dev.weft.jobs.Retention;
import dev.weft.jobs.spi.NewJob;
import dev.weft.jobs.spi.StoredEvent;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static dev.weft.postgres.Stores.LEASE;
import static org.assertj.core.api.Assertions.assertThat;

/** Retention deletes old terminal jobs and their events in bounded batches, never live jobs. */
class PurgeTest {

    @Test
    void purgeDeletesAtMostMaxRowsPerCallWithTheirEventsUntilNoneIsLeftAndNeverALiveJob() throws SQLException {
        try (HikariDataSource ds = PostgresFixture.newDatabase(); PostgresJobStore store = Stores.open(ds)) {
            List<NewJob> done = new ArrayList<>();
            for (int i = 0; i < 25; i++) {
                done.add(Stores.job("p-done"));
            }
            store.insertAll(done);
            List<StoredEvent> claimed = store.claim("n", List.of("p-done"), 25, LEASE);
            store.endAttempts(claimed.stream().map(e -> Stores.succeeded(e.job().lease(), "1")).toList());
            var queued = Stores.job("p-queued");
            var running = Stores.job("p-running");
            store.insertAll(List.of(queued, running));
            store.claim("n", List.of("p-running"), 1, LEASE);
            Retention everything = Retention.keep(Duration.ZERO, 0);

            List<Integer> batches = new ArrayList<>();
            int n;
            do {
                n = store.purge(everything, 10);
                batches.add(n);
            } while (n > 0);

            assertThat(batches).containsExactly(10, 10, 5, 0);
            assertThat(store.counts().get(JobState.SUCCEEDED)).isZero();
            assertThat(store.counts().get(JobState.QUEUED)).isEqualTo(1);
            assertThat(store.counts().get(JobState.RUNNING)).isEqualTo(1);
            Set<String> deleted = done.stream().map(NewJob::id).collect(Collectors.toSet());
            assertThat(eventJobIds(ds)).doesNotContainAnyElementsOf(deleted).contains(queued.id(), running.id());
        }
    }

    @Test
    void purgeKeepsTheNewestMaxCountPerStateAndJobsYoungerThanMaxAge() {
        try (HikariDataSource ds = PostgresFixture.newDatabase(); PostgresJobStore store = Stores.open(ds)) {
            List<NewJob> jobs = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                jobs.add(Stores.job("p-count", 1));
            }
            store.insertAll(jobs);
            for (int i = 0; i < 6; i++) { // one by one: distinct finish times, oldest first
                StoredEvent e = store.claim("n", List.of("p-count"), 1, LEASE).get(0);
                if (i < 3) {
                    store.endAttempts(List.of(Stores.succeeded(e.job().lease(), "1")));
                } else {
                    store.endAttempts(List.of(Stores.failed(e.job().lease(), "x")));
                }
            }

            int byCount = store.purge(Retention.keep(Duration.ofDays(1), 1), 100);
            int byAgeNone = store.purge(Retention.keep(Duration.ofDays(1), 100), 100);

            assertThat(byCount).isEqualTo(4);
            assertThat(byAgeNone).isZero();
            assertThat(store.find(jobs.get(2).id())).as("newest SUCCEEDED kept").isPresent();
            assertThat(store.find(jobs.get(5).id())).as("newest FAILED kept").isPresent();
            assertThat(store.find(jobs.get(0).id())).isEmpty();
            assertThat(store.find(jobs.get(3).id())).isEmpty();
            assertThat(store.purge(Retention.keep(Duration.ofSeconds(Long.MAX_VALUE), Integer.MAX_VALUE), 100))
                    .isZero();
        }
    }

    private static Set<String> eventJobIds(HikariDataSource ds) throws SQLException {
        try (var c = ds.getConnection(); var rs = c.createStatement().executeQuery(
                "SELECT DISTINCT job_id::text FROM weft_events")) {
            Set<String> out = new java.util.HashSet<>();
            while (rs.next()) {
                out.add(rs.getString(1));
            }
            return out;
        }
    }
}
