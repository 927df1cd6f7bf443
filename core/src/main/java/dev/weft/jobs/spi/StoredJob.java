package dev.weft.jobs.spi;

import dev.weft.jobs.JobError;
import dev.weft.jobs.JobRecord;
import dev.weft.jobs.JobState;
import dev.weft.progress.ProgressSnapshot;
import dev.weft.scope.CancellationReason;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A job's row in a store. Times are the store's clock.
 *
 * @param id               the job's id
 * @param type             its job type's name
 * @param name             its display name
 * @param key              its de-duplication key, or null
 * @param group            its group, or null
 * @param priority         higher runs first
 * @param state            its state
 * @param payload          the encoded payload
 * @param result           the encoded result, for SUCCEEDED
 * @param error            the last attempt's failure, or null
 * @param reason           why it was cancelled or timed out, or null
 * @param cancelRequested  the reason of a cancellation requested while it runs, or null
 * @param progress         its last written progress, or null
 * @param attempt          attempts counted so far, over all its runs (0 while never run)
 * @param maxAttempts      the highest attempt its current run may reach (its earlier runs' attempts plus its
 *                         policy's)
 * @param interruptions    how many attempts were interrupted (by shutdown or a lost node) and re-queued
 * @param submittedAt      when it was inserted
 * @param startedAt        when its current run's first attempt started, or null
 * @param finishedAt       when it ended, or null
 * @param runAfter         when a queued job may run
 * @param epoch            the epoch of its latest claim (0 before any)
 * @param node             the node holding it while RUNNING, else null
 * @param leaseUntil       while RUNNING: when its lease ends, else null
 * @param timeout          its timeout over all attempts, or null
 * @param expectedDuration after how long it counts as stuck, or null
 * @param stuck            whether it was flagged stuck
 * @param stuckThreads     the threads of the attempt that was flagged stuck, as its node captured them, or null
 * @param earlierRuns      the runs that ended before {@link JobStore#retry} re-queued it, oldest first (never
 *                         null)
 * @param readAt           the store's clock when the row was read
 */
public record StoredJob(String id, String type, String name, String key, String group, int priority,
                        JobState state, String payload, String result, JobError error, CancellationReason reason,
                        CancellationReason cancelRequested, ProgressSnapshot progress, int attempt, int maxAttempts,
                        int interruptions, Instant submittedAt, Instant startedAt, Instant finishedAt,
                        Instant runAfter, long epoch, String node, Instant leaseUntil, Duration timeout,
                        Duration expectedDuration, boolean stuck, String stuckThreads,
                        List<JobRecord.EarlierRun> earlierRuns, Instant readAt) {

    public StoredJob {
        earlierRuns = earlierRuns == null ? List.of() : List.copyOf(earlierRuns);
    }

    /** The attempts of its earlier runs: its current run's first attempt is the next one. */
    public int attemptsBefore() {
        return earlierRuns.isEmpty() ? 0 : earlierRuns.get(earlierRuns.size() - 1).lastAttempt();
    }

    /** The current claim. */
    public Lease lease() {
        return new Lease(id, epoch);
    }
}
