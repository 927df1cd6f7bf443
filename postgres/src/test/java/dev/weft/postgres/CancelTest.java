package dev.weft.postgres;

import dev.weft.jobs.JobEvent;
import dev.weft.jobs.JobState;
import dev.weft.jobs.spi.CancelOutcome;
import dev.weft.jobs.spi.StoredEvent;
import dev.weft.jobs.spi.StoredJob;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.UUID;

import static dev.weft.postgres.Stores.LEASE;
import static org.assertj.core.api.Assertions.assertThat;

/** cancel() in each state of a job. */
class CancelTest {

    @RegisterExtension
    static final OpenStore db = new OpenStore();

    @Test
    void aQueuedJobIsCancelledAtOnceWithItsFinishedEventAndNeverClaimed() {
        var j = Stores.job("c-queued");
        db.store().insert(j);

        CancelOutcome out = db.store().cancel(j.id(), Stores.reason("not needed"));

        assertThat(out.result()).isEqualTo(CancelOutcome.Result.CANCELLED);
        assertThat(out.event().type()).isEqualTo(JobEvent.Type.FINISHED);
        assertThat(out.event().id()).isPositive();
        StoredJob row = db.store().find(j.id()).orElseThrow();
        assertThat(row.state()).isEqualTo(JobState.CANCELLED);
        assertThat(row.finishedAt()).isNotNull();
        assertThat(row.reason()).isEqualTo(Stores.reason("not needed"));
        assertThat(db.store().claim("n", List.of("c-queued"), 1, LEASE)).isEmpty();
    }

    @Test
    void aRunningJobGetsTheRequestRecordedForItsNodeOnce() {
        var j = Stores.job("c-running");
        db.store().insert(j);
        StoredEvent running = db.store().claim("n7", List.of("c-running"), 1, LEASE).get(0);

        CancelOutcome first = db.store().cancel(j.id(), Stores.reason("first"));
        CancelOutcome second = db.store().cancel(j.id(), Stores.reason("second"));

        assertThat(first.result()).isEqualTo(CancelOutcome.Result.REQUESTED);
        assertThat(first.node()).isEqualTo("n7");
        assertThat(first.event()).isNull();
        assertThat(second.result()).isEqualTo(CancelOutcome.Result.TOO_LATE);
        StoredJob row = db.store().find(j.id()).orElseThrow();
        assertThat(row.state()).isEqualTo(JobState.RUNNING);
        assertThat(row.cancelRequested()).isEqualTo(Stores.reason("first"));
        assertThat(row.epoch()).isEqualTo(running.job().epoch());
    }

    @Test
    void aFinishedJobIsTooLate() {
        var j = Stores.job("c-done");
        db.store().insert(j);
        StoredEvent running = db.store().claim("n", List.of("c-done"), 1, LEASE).get(0);
        db.store().endAttempts(List.of(Stores.succeeded(running.job().lease(), "1")));

        CancelOutcome out = db.store().cancel(j.id(), Stores.reason("late"));

        assertThat(out.result()).isEqualTo(CancelOutcome.Result.TOO_LATE);
        assertThat(db.store().find(j.id()).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(db.store().find(j.id()).orElseThrow().reason()).isNull();
    }

    @Test
    void anUnknownOrMalformedIdIsNotFound() {
        assertThat(db.store().cancel(UUID.randomUUID().toString(), Stores.reason("x")).result())
                .isEqualTo(CancelOutcome.Result.NOT_FOUND);
        assertThat(db.store().cancel("'); DROP TABLE weft_jobs; --", Stores.reason("x")).result())
                .isEqualTo(CancelOutcome.Result.NOT_FOUND);
    }
}
