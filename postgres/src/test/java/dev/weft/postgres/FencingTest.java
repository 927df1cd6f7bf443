package dev.weft.postgres;

import dev.weft.jobs.JobState;
import dev.weft.jobs.spi.AttemptEnd;
import dev.weft.jobs.spi.Lease;
import dev.weft.jobs.spi.ProgressUpdate;
import dev.weft.jobs.spi.StoredEvent;
import dev.weft.jobs.spi.StoredJob;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;

import static dev.weft.postgres.Stores.LEASE;
import static org.assertj.core.api.Assertions.assertThat;

/** A write naming a stale claim (an older epoch, or a job no longer running) changes nothing. */
class FencingTest {

    @RegisterExtension
    static final OpenStore db = new OpenStore();

    /** Claims a job twice (the first attempt re-queued in between): returns {stale, current}. */
    private Lease[] twoClaims(String type) {
        db.store().insert(Stores.job(type, 5));
        Lease first = db.store().claim("zombie", List.of(type), 1, LEASE).get(0).job().lease();
        db.store().recover("zombie"); // as if the zombie's node had been declared dead: back to the queue
        Lease second = db.store().claim("live", List.of(type), 1, LEASE).get(0).job().lease();
        assertThat(second.epoch()).isEqualTo(first.epoch() + 1);
        return new Lease[]{first, second};
    }

    @Test
    void aStaleEpochsEndOfAttemptChangesNothingAndIsLeftOutOfTheResult() {
        Lease[] l = twoClaims("t-end");
        StoredJob before = db.store().find(l[1].jobId()).orElseThrow();

        List<StoredEvent> stale = db.store().endAttempts(List.of(Stores.succeeded(l[0], "\"zombie result\"")));
        List<StoredEvent> staleRetry = db.store().endAttempts(List.of(Stores.retry(l[0], "x", Duration.ZERO)));
        List<StoredEvent> staleRequeue = db.store().endAttempts(List.of(new AttemptEnd(l[0],
                AttemptEnd.Outcome.REQUEUE_INTERRUPTED, null, null, null, null, null)));

        assertThat(stale).isEmpty();
        assertThat(staleRetry).isEmpty();
        assertThat(staleRequeue).isEmpty();
        StoredJob after = db.store().find(l[1].jobId()).orElseThrow();
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

        List<StoredEvent> out = db.store().endAttempts(List.of(Stores.succeeded(a[0], "\"stale\""),
                Stores.succeeded(b[1], "\"fresh\"")));

        assertThat(out).singleElement().satisfies(e -> assertThat(e.job().id()).isEqualTo(b[1].jobId()));
        assertThat(db.store().find(a[1].jobId()).orElseThrow().state()).isEqualTo(JobState.RUNNING);
        assertThat(db.store().find(b[1].jobId()).orElseThrow().result()).isEqualTo("\"fresh\"");
    }

    @Test
    void aStaleEpochsProgressAndStuckFlagChangeNothing() {
        Lease[] l = twoClaims("t-progress");

        List<StoredEvent> progress = db.store().writeProgress(List.of(new ProgressUpdate(l[0], Stores.progress(9, 10))));
        var stuck = db.store().markStuck(l[0], "stale");

        assertThat(progress).isEmpty();
        assertThat(stuck).isEmpty();
        StoredJob after = db.store().find(l[1].jobId()).orElseThrow();
        assertThat(after.progress()).isNull();
        assertThat(after.stuck()).isFalse();
    }

    @Test
    void aFinishedJobTakesNoSecondTerminalState() {
        db.store().insert(Stores.job("t-twice", 1));
        Lease lease = db.store().claim("n", List.of("t-twice"), 1, LEASE).get(0).job().lease();
        assertThat(db.store().endAttempts(List.of(Stores.succeeded(lease, "\"first\"")))).hasSize(1);

        List<StoredEvent> second = db.store().endAttempts(List.of(Stores.failed(lease, "late")));

        assertThat(second).isEmpty();
        StoredJob after = db.store().find(lease.jobId()).orElseThrow();
        assertThat(after.state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(after.result()).isEqualTo("\"first\"");
        assertThat(after.error()).isNull();
    }
}
