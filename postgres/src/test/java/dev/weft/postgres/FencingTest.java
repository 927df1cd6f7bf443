package dev.weft.postgres;

import com.zaxxer.hikari.HikariDataSource;
import dev.weft.jobs.JobState;
import dev.weft.jobs.spi.AttemptEnd;
import dev.weft.jobs.spi.Lease;
import dev.weft.jobs.spi.ProgressUpdate;
import dev.weft.jobs.spi.StoredEvent;
import dev.weft.jobs.spi.StoredJob;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static dev.weft.postgres.Stores.LEASE;
import static org.assertj.core.api.Assertions.assertThat;

/** A write naming a stale claim (an older epoch, or a job no longer running) changes nothing. */
class FencingTest {

    private static HikariDataSource ds;
    private PostgresJobStore store;

    @BeforeAll
    static void database() {
        ds = PostgresFixture.newDatabase();
    }

    @AfterAll
    static void closeDatabase() {
        ds.close();
    }

    @BeforeEach
    void open() {
        store = Stores.open(ds);
    }

    @AfterEach
    void close() {
        store.close();
    }

    /** Claims a job twice (the first attempt re-queued in between): returns {stale, current}. */
    private Lease[] twoClaims(String type) {
        store.insert(Stores.job(type, 5));
        Lease first = store.claim("zombie", List.of(type), 1, LEASE).get(0).job().lease();
        store.recover("zombie"); // as if the zombie's node had been declared dead: back to the queue
        Lease second = store.claim("live", List.of(type), 1, LEASE).get(0).job().lease();
        assertThat(second.epoch()).isEqualTo(first.epoch() + 1);
        return new Lease[]{first, second};
    }

    @Test
    void aStaleEpochsEndOfAttemptChangesNothingAndIsLeftOutOfTheResult() {
        Lease[] l = twoClaims("t-end");
        StoredJob before = store.find(l[1].jobId()).orElseThrow();

        List<StoredEvent> stale = store.endAttempts(List.of(Stores.succeeded(l[0], "\"zombie result\"")));
        List<StoredEvent> staleRetry = store.endAttempts(List.of(Stores.retry(l[0], "x", Duration.ZERO)));
        List<StoredEvent> staleRequeue = store.endAttempts(List.of(new AttemptEnd(l[0],
                AttemptEnd.Outcome.REQUEUE_INTERRUPTED, null, null, null, null, null)));

        assertThat(stale).isEmpty();
        assertThat(staleRetry).isEmpty();
        assertThat(staleRequeue).isEmpty();
        StoredJob after = store.find(l[1].jobId()).orElseThrow();
        assertThat(after.state()).isEqualTo(JobState.RUNNING);
        assertThat(after.result()).isNull();
        assertThat(after.epoch()).isEqualTo(l[1].epoch());
        assertThat(after.node()).isEqualTo("live");
        assertThat(after.attempt()).isEqualTo(before.attempt());
    }

    @Test
    void inABatchOnlyTheCurrentClaimsApply() {
        Lease[] a = twoClaims("t-batch");
        Lease[] b = twoClaims("t-batch2");

        List<StoredEvent> out = store.endAttempts(List.of(Stores.succeeded(a[0], "\"stale\""),
                Stores.succeeded(b[1], "\"fresh\"")));

        assertThat(out).singleElement().satisfies(e -> assertThat(e.job().id()).isEqualTo(b[1].jobId()));
        assertThat(store.find(a[1].jobId()).orElseThrow().state()).isEqualTo(JobState.RUNNING);
        assertThat(store.find(b[1].jobId()).orElseThrow().result()).isEqualTo("\"fresh\"");
    }

    @Test
    void aStaleEpochsProgressAndStuckFlagChangeNothing() {
        Lease[] l = twoClaims("t-progress");

        List<StoredEvent> progress = store.writeProgress(List.of(new ProgressUpdate(l[0], Stores.progress(9, 10))));
        var stuck = store.markStuck(l[0]);

        assertThat(progress).isEmpty();
        assertThat(stuck).isEmpty();
        StoredJob after = store.find(l[1].jobId()).orElseThrow();
        assertThat(after.progress()).isNull();
        assertThat(after.stuck()).isFalse();
    }

    @Test
    void aFinishedJobTakesNoSecondTerminalState() {
        store.insert(Stores.job("t-twice", 1));
        Lease lease = store.claim("n", List.of("t-twice"), 1, LEASE).get(0).job().lease();
        assertThat(store.endAttempts(List.of(Stores.succeeded(lease, "\"first\"")))).hasSize(1);

        List<StoredEvent> second = store.endAttempts(List.of(Stores.failed(lease, "late")));

        assertThat(second).isEmpty();
        StoredJob after = store.find(lease.jobId()).orElseThrow();
        assertThat(after.state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(after.result()).isEqualTo("\"first\"");
        assertThat(after.error()).isNull();
    }
}
