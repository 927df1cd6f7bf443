package dev.weft.postgres;

import dev.weft.jobs.JobState;
import dev.weft.jobs.spi.CancelOutcome;
import dev.weft.jobs.spi.Lease;
import dev.weft.jobs.spi.StoredEvent;
import dev.weft.scope.CancellationReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static dev.weft.postgres.Stores.LEASE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A cancellation that the store accepted (cancel returned REQUESTED) ends the job CANCELLED, however its attempt
 * ended, even when the cancel commits while the attempt's end is being written, and even when its node died.
 */
class CancelWinsTest {

    @RegisterExtension
    static final OpenStore db = new OpenStore();

    @Test
    void aCancelThatCommitsWhileASuccessIsBeingWrittenStillEndsTheJobCancelled() throws Exception {
        db.store().insert(Stores.job("race"));
        Lease lease = db.store().claim("node", List.of("race"), 1, LEASE).get(0).job().lease();
        try (Connection cancel = db.dataSource().getConnection()) {
            cancel.setAutoCommit(false);
            try (var ps = cancel.prepareStatement(
                    "UPDATE weft_jobs SET cancel_requested = '{\"kind\":\"EXPLICIT\",\"detail\":\"late\"}'::jsonb "
                            + "WHERE id = ?::uuid AND state = 'RUNNING' AND cancel_requested IS NULL")) {
                ps.setString(1, lease.jobId());
                assertThat(ps.executeUpdate()).isEqualTo(1); // holds the row's lock until commit
            }
            CompletableFuture<List<StoredEvent>> end = CompletableFuture.supplyAsync(
                    () -> db.store().endAttempts(List.of(Stores.succeeded(lease, "\"done\""))));
            awaitBlockedOnALock();
            cancel.commit();
            List<StoredEvent> events = end.get(60, TimeUnit.SECONDS);
            assertThat(events).hasSize(1);
            assertThat(events.get(0).job().state()).isEqualTo(JobState.CANCELLED);
        }
        var row = db.store().find(lease.jobId()).orElseThrow();
        assertThat(row.state()).isEqualTo(JobState.CANCELLED);
        assertThat(row.result()).isNull();
        assertThat(row.reason().kind()).isEqualTo(CancellationReason.Kind.EXPLICIT);
        assertThat(row.reason().detail()).isEqualTo("late");
    }

    @Test
    void aJobWhoseCancelWasAcceptedIsNotRequeuedWhenItsNodeIsRecovered() {
        db.store().insert(Stores.job("dead-node", 3));
        Lease lease = db.store().claim("dead", List.of("dead-node"), 1, LEASE).get(0).job().lease();
        CancelOutcome outcome = db.store().cancel(lease.jobId(), CancellationReason.explicit("stop it"));
        assertThat(outcome.result()).isEqualTo(CancelOutcome.Result.REQUESTED);
        List<StoredEvent> recovered = db.store().recover("dead");
        assertThat(recovered).hasSize(1);
        assertThat(recovered.get(0).job().state()).isEqualTo(JobState.CANCELLED);
        assertThat(db.store().find(lease.jobId()).orElseThrow().reason().detail()).isEqualTo("stop it");
    }

    /** Waits until some backend of this database waits for a row lock (the end's UPDATE behind the cancel). */
    private static void awaitBlockedOnALock() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        try (Connection c = db.dataSource().getConnection(); var s = c.createStatement()) {
            while (true) {
                try (var rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                        + "AND wait_event_type = 'Lock'")) {
                    rs.next();
                    if (rs.getInt(1) > 0) {
                        return;
                    }
                }
                assertThat(System.nanoTime() - deadline).as("the end's UPDATE waits for the lock").isNegative();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10)); // polling with a deadline
            }
        }
    }
}
