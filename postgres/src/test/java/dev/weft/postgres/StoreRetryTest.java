package dev.weft.postgres;

import dev.weft.jobs.JobEvent;
import dev.weft.jobs.JobRecord;
import dev.weft.jobs.JobState;
import dev.weft.jobs.spi.AttemptEnd;
import dev.weft.jobs.spi.Lease;
import dev.weft.jobs.spi.NewJob;
import dev.weft.jobs.spi.ProgressUpdate;
import dev.weft.jobs.spi.RetryOutcome;
import dev.weft.jobs.spi.StoredEvent;
import dev.weft.jobs.spi.StoredJob;
import dev.weft.scope.CancellationReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.weft.postgres.Stores.LEASE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** JobStore.retry on PostgreSQL: the same row back to QUEUED, its ended run kept, atomically and fenced. */
class StoreRetryTest {

    @RegisterExtension
    static final OpenStore db = new OpenStore();

    /** Inserts a job of {@code type} (at most {@code maxAttempts}), claims it and ends it FAILED. */
    private StoredEvent failedJob(String type, int maxAttempts, String key) {
        NewJob j = new NewJob(UUID.randomUUID().toString(), type, "job-" + type, key, null, 0, "{}", maxAttempts,
                null, null);
        db.store().insert(j);
        StoredEvent claimed = db.store().claim("n1", List.of(type), 1, LEASE).get(0);
        return db.store().endAttempts(List.of(Stores.failed(claimed.job().lease(), "boom"))).get(0);
    }

    @Test
    void aFailedJobGoesBackToTheQueueUnderItsIdWithItsRunKeptAndTheNextClaimCountingOn() {
        StoredEvent failed = failedJob("t-again", 1, null);
        StoredJob ended = failed.job();

        RetryOutcome out = db.store().retry(ended.id(), 2);

        assertThat(out.result()).isEqualTo(RetryOutcome.Result.RETRIED);
        assertThat(out.event().type()).isEqualTo(JobEvent.Type.SUBMITTED);
        assertThat(out.event().id()).isGreaterThan(failed.id());
        StoredJob queued = out.event().job();
        assertThat(queued.id()).isEqualTo(ended.id());
        assertThat(queued.state()).isEqualTo(JobState.QUEUED);
        assertThat(queued.attempt()).isEqualTo(1);
        assertThat(queued.maxAttempts()).isEqualTo(3);
        assertThat(queued.epoch()).isEqualTo(ended.epoch());
        assertThat(queued.error()).isNull();
        assertThat(queued.reason()).isNull();
        assertThat(queued.startedAt()).isNull();
        assertThat(queued.finishedAt()).isNull();
        assertThat(queued.node()).isNull();
        assertThat(queued.leaseUntil()).isNull();
        assertThat(queued.submittedAt()).isEqualTo(ended.submittedAt());
        assertThat(queued.attemptsBefore()).isEqualTo(1);
        assertThat(queued.earlierRuns()).containsExactly(new JobRecord.EarlierRun(1, 1, JobState.FAILED,
                ended.startedAt(), ended.finishedAt(), Stores.error("boom"), null));
        StoredJob found = db.store().find(ended.id()).orElseThrow();
        assertThat(found).isEqualTo(Stores.withReadAt(queued, found));

        StoredEvent again = db.store().claim("n2", List.of("t-again"), 1, LEASE).get(0);
        assertThat(again.job().id()).isEqualTo(ended.id());
        assertThat(again.job().attempt()).isEqualTo(2);
        assertThat(again.job().epoch()).isEqualTo(ended.epoch() + 1);
        assertThat(again.job().startedAt()).isNotNull();

        assertThat(again.id()).isGreaterThan(out.event().id());
        // the log keeps both runs' events (it may hold back the newest while a lower id could still commit)
        assertThat(db.store().eventsAfter(0, 100)).filteredOn(e -> e.job().id().equals(ended.id()))
                .extracting(StoredEvent::type).startsWith(JobEvent.Type.SUBMITTED, JobEvent.Type.STARTED,
                        JobEvent.Type.FINISHED, JobEvent.Type.SUBMITTED);
    }

    @Test
    void aCancelledRunKeepsItsReasonAndASecondRetryAddsASecondRun() {
        db.store().insert(Stores.job("t-cancelled", 1));
        String id = db.store().claim("n1", List.of("t-cancelled"), 1, LEASE).get(0).job().id();
        // a queued job's cancel needs no node; cancel this one after a first retry, while it is queued
        db.store().endAttempts(List.of(Stores.failed(db.store().find(id).orElseThrow().lease(), "first")));
        db.store().retry(id, 1);
        db.store().cancel(id, Stores.reason("not now"));

        StoredJob queued = db.store().retry(id, 1).event().job();

        assertThat(queued.earlierRuns()).extracting(JobRecord.EarlierRun::firstAttempt,
                JobRecord.EarlierRun::lastAttempt, JobRecord.EarlierRun::state)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1, 1, JobState.FAILED),
                        org.assertj.core.groups.Tuple.tuple(2, 1, JobState.CANCELLED));
        assertThat(queued.earlierRuns().get(1).cancellationReason()).isEqualTo(Stores.reason("not now"));
        assertThat(queued.earlierRuns().get(1).startedAt()).isNull();
        assertThat(queued.earlierRuns().get(0).error()).isEqualTo(Stores.error("first"));
        assertThat(queued.maxAttempts()).isEqualTo(2);
    }

    @Test
    void onlyAFailedCancelledOrTimedOutJobIsRetried() {
        String queued = db.store().insert(Stores.job("t-queued")).event().job().id();
        db.store().insert(Stores.job("t-ok"));
        StoredEvent c = db.store().claim("n1", List.of("t-ok"), 1, LEASE).get(0);
        db.store().endAttempts(List.of(Stores.succeeded(c.job().lease(), "1")));

        assertThat(db.store().retry(queued, 1)).isEqualTo(new RetryOutcome(RetryOutcome.Result.NOT_RETRYABLE, null,
                JobState.QUEUED, null));
        assertThat(db.store().retry(c.job().id(), 1).state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(db.store().retry(UUID.randomUUID().toString(), 1).result())
                .isEqualTo(RetryOutcome.Result.NOT_FOUND);
        assertThat(db.store().retry("not-a-uuid", 1).result()).isEqualTo(RetryOutcome.Result.NOT_FOUND);
        assertThatThrownBy(() -> db.store().retry(queued, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("attemptsPerRun must be at least 1");
    }

    @Test
    void aKeyHeldByAnotherQueuedJobRefusesTheRetryAndNamesTheHolder() {
        StoredJob failed = failedJob("t-key", 1, "acct-9").job();
        String holder = db.store().insert(Stores.job("t-key-other", 0, "acct-9")).event().job().id();

        RetryOutcome out = db.store().retry(failed.id(), 1);

        assertThat(out.result()).isEqualTo(RetryOutcome.Result.KEY_HELD);
        assertThat(out.holder()).isEqualTo(holder);
        assertThat(db.store().find(failed.id()).orElseThrow().state()).isEqualTo(JobState.FAILED);
        assertThat(db.store().find(failed.id()).orElseThrow().earlierRuns()).isEmpty();
    }

    @Test
    void ofTwoConcurrentRetriesExactlyOneRequeuesTheJob() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 20; round++) {
                String id = failedJob("t-race-" + round, 1, null).job().id();
                var barrier = new CyclicBarrier(2);
                Future<RetryOutcome> a = pool.submit(() -> {
                    barrier.await();
                    return db.store().retry(id, 1);
                });
                Future<RetryOutcome> b = pool.submit(() -> {
                    barrier.await();
                    return db.store().retry(id, 1);
                });
                List<RetryOutcome> both = List.of(a.get(), b.get());

                assertThat(both).extracting(RetryOutcome::result).as("round %d", round)
                        .containsExactlyInAnyOrder(RetryOutcome.Result.RETRIED, RetryOutcome.Result.NOT_RETRYABLE);
                assertThat(both).filteredOn(o -> o.result() == RetryOutcome.Result.NOT_RETRYABLE)
                        .extracting(RetryOutcome::state).containsExactly(JobState.QUEUED);
                StoredJob row = db.store().find(id).orElseThrow();
                assertThat(row.earlierRuns()).hasSize(1);
                assertThat(row.maxAttempts()).isEqualTo(2);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aRunnerOfAnAttemptBeforeTheRetryWritesNothingBeforeOrAfterTheNextClaim() {
        db.store().insert(Stores.job("t-stale", 1));
        Lease stale = db.store().claim("zombie", List.of("t-stale"), 1, LEASE).get(0).job().lease();
        db.store().recover("zombie"); // its node was declared dead: out of attempts, the job ends FAILED
        assertThat(db.store().find(stale.jobId()).orElseThrow().state()).isEqualTo(JobState.FAILED);
        db.store().retry(stale.jobId(), 1);

        assertThat(db.store().endAttempts(List.of(Stores.succeeded(stale, "\"zombie\"")))).isEmpty();
        assertThat(db.store().writeProgress(List.of(new ProgressUpdate(stale, Stores.progress(1, 2))))).isEmpty();
        assertThat(db.store().markStuck(stale, "zombie threads")).isEmpty();
        assertThat(db.store().find(stale.jobId()).orElseThrow().state()).isEqualTo(JobState.QUEUED);

        Lease live = db.store().claim("live", List.of("t-stale"), 1, LEASE).get(0).job().lease();
        assertThat(live.epoch()).isGreaterThan(stale.epoch());
        assertThat(db.store().endAttempts(List.of(Stores.succeeded(stale, "\"zombie\"")))).isEmpty();
        assertThat(db.store().endAttempts(List.of(new AttemptEnd(stale, AttemptEnd.Outcome.CANCELLED, null, null,
                CancellationReason.explicit("zombie"), null, null)))).isEmpty();
        assertThat(db.store().renew("zombie", List.of(stale), LEASE).lost()).containsExactly(stale);
        StoredJob row = db.store().find(stale.jobId()).orElseThrow();
        assertThat(row.state()).isEqualTo(JobState.RUNNING);
        assertThat(row.node()).isEqualTo("live");
        assertThat(row.result()).isNull();
        assertThat(row.attempt()).isEqualTo(2);

        assertThat(db.store().endAttempts(List.of(Stores.succeeded(live, "\"live\"")))).hasSize(1);
        assertThat(db.store().find(stale.jobId()).orElseThrow().result()).isEqualTo("\"live\"");
    }
}
