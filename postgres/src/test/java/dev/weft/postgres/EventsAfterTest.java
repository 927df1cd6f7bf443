package dev.weft.postgres;

import com.zaxxer.hikari.HikariDataSource;
import dev.weft.jobs.spi.StoredEvent;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Resuming after an event id never loses an event that committed after a higher id was read. */
class EventsAfterTest {

    @Test
    void eventsAfterStopsBeforeTheIdOfAnEventNotYetCommittedAndReturnsItOnceCommitted() throws SQLException {
        try (HikariDataSource ds = PostgresFixture.newDatabase(); PostgresJobStore store = Stores.open(ds)) {
            var j = Stores.job("ev");
            long submitted = store.insert(j).event().id();
            try (Connection slow = ds.getConnection()) {
                slow.setAutoCommit(false);
                long pending = insertEvent(slow, j.id());          // takes the next id, not yet committed
                long later = store.insert(Stores.job("ev")).event().id(); // a higher id, committed

                List<StoredEvent> before = store.eventsAfter(submitted, 100);
                slow.commit();
                List<StoredEvent> after = store.eventsAfter(submitted, 100);

                assertThat(later).isGreaterThan(pending);
                assertThat(before).as("nothing past the pending id").isEmpty();
                assertThat(after).extracting(StoredEvent::id).containsExactly(pending, later);
            }
        }
    }

    @Test
    void aGapLeftByARolledBackTransactionIsReadPastOnceItIsOld() throws SQLException, InterruptedException {
        try (HikariDataSource ds = PostgresFixture.newDatabase(); PostgresJobStore store = Stores.open(ds)) {
            var j = Stores.job("ev-rollback");
            long submitted = store.insert(j).event().id();
            try (Connection aborted = ds.getConnection()) {
                aborted.setAutoCommit(false);
                insertEvent(aborted, j.id());
                aborted.rollback();
            }
            long later = store.insert(Stores.job("ev-rollback")).event().id();

            long deadline = System.nanoTime() + PostgresJobStore.EVENT_GAP_GRACE.plusSeconds(20).toNanos();
            List<StoredEvent> read = store.eventsAfter(submitted, 100);
            while (read.isEmpty()) {
                assertThat(System.nanoTime() - deadline).as("still held back").isNegative();
                Thread.sleep(100); // polling a condition with a deadline
                read = store.eventsAfter(submitted, 100);
            }

            assertThat(read).extracting(StoredEvent::id).containsExactly(later);
            assertThat(later).isEqualTo(submitted + 2);
        }
    }

    private static long insertEvent(Connection c, String jobId) throws SQLException {
        try (var ps = c.prepareStatement(
                "INSERT INTO weft_events (job_id, type, at) VALUES (?::uuid, 'PROGRESS', now()) RETURNING id")) {
            ps.setString(1, jobId);
            try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
