package dev.weft.postgres;

import dev.weft.jobs.JobError;
import dev.weft.jobs.spi.AttemptEnd;
import dev.weft.jobs.spi.Lease;
import dev.weft.jobs.spi.NewJob;
import dev.weft.jobs.spi.StoreListener;
import dev.weft.jobs.spi.StoredJob;
import dev.weft.progress.ProgressSnapshot;
import dev.weft.progress.ProgressState;
import dev.weft.scope.CancellationReason;

import javax.sql.DataSource;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.UUID;

/** Test helpers: stores, jobs and attempt ends. */
final class Stores {

    static final Duration LEASE = Duration.ofSeconds(30);

    private Stores() {
    }

    /** An opened store with the default prefix and a listener that ignores everything. */
    static PostgresJobStore open(DataSource ds) {
        PostgresJobStore store = PostgresJobStore.builder(ds).build();
        store.open(IGNORE);
        return store;
    }

    static final StoreListener IGNORE = new StoreListener() {
        @Override
        public void workAvailable() {
        }

        @Override
        public void cancelRequested(String jobId) {
        }

        @Override
        public void reachable(boolean up, String detail) {
        }
    };

    static NewJob job(String type) {
        return job(type, 0, null);
    }

    static NewJob job(String type, int priority, String key) {
        return new NewJob(UUID.randomUUID().toString(), type, "job-" + type, key, null, priority, "{\"n\":1}", 3,
                null, null);
    }

    static NewJob job(String type, int maxAttempts) {
        return new NewJob(UUID.randomUUID().toString(), type, "job-" + type, null, null, 0, "{}", maxAttempts,
                null, null);
    }

    static AttemptEnd succeeded(Lease lease, String result) {
        return new AttemptEnd(lease, AttemptEnd.Outcome.SUCCEEDED, result, null, null, null, null);
    }

    static AttemptEnd failed(Lease lease, String message) {
        return new AttemptEnd(lease, AttemptEnd.Outcome.FAILED, null, error(message), null, null, null);
    }

    static AttemptEnd retry(Lease lease, String message, Duration after) {
        return new AttemptEnd(lease, AttemptEnd.Outcome.RETRY, null, error(message), null, null, after);
    }

    static JobError error(String message) {
        return new JobError("java.lang.IllegalStateException", message, "java.lang.IllegalStateException: "
                + message + "\n\tat somewhere");
    }

    static CancellationReason reason(String detail) {
        return CancellationReason.explicit(detail);
    }

    static ProgressSnapshot progress(long done, long total) {
        return new ProgressSnapshot("work", done, total, total == 0 ? 0.0 : (double) done / total, "step-1",
                "doing", OptionalDouble.of(2.5), Optional.of(Duration.ofSeconds(7)), false, ProgressState.RUNNING,
                Instant.parse("2026-01-02T03:04:05.678Z"));
    }

    /** {@code j} with the read time of {@code readAtFrom}: a record as written, compared with the record as read. */
    static StoredJob withReadAt(StoredJob j, StoredJob readAtFrom) {
        return new StoredJob(j.id(), j.type(), j.name(), j.key(), j.group(), j.priority(), j.state(), j.payload(),
                j.result(), j.error(), j.reason(), j.cancelRequested(), j.progress(), j.attempt(), j.maxAttempts(),
                j.interruptions(), j.submittedAt(), j.startedAt(), j.finishedAt(), j.runAfter(), j.epoch(),
                j.node(), j.leaseUntil(), j.timeout(), j.expectedDuration(), j.stuck(), j.stuckThreads(),
                j.earlierRuns(), readAtFrom.readAt());
    }
}
