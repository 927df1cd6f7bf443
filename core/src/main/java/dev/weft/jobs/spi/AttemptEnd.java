package dev.weft.jobs.spi;

import dev.weft.jobs.JobError;
import dev.weft.progress.ProgressSnapshot;
import dev.weft.scope.CancellationReason;

import java.time.Duration;

/**
 * How a claimed attempt ended, to be written fenced by its lease.
 *
 * @param lease      the claim
 * @param outcome    what becomes of the job
 * @param result     the encoded result, for SUCCEEDED
 * @param error      the attempt's failure, or null
 * @param reason     why it was cancelled or timed out, or null
 * @param progress   the final progress snapshot, or null
 * @param retryAfter for RETRY: how long until it may run again
 */
public record AttemptEnd(Lease lease, Outcome outcome, String result, JobError error, CancellationReason reason,
                         ProgressSnapshot progress, Duration retryAfter) {

    /** What becomes of the job. */
    public enum Outcome {
        SUCCEEDED, FAILED, CANCELLED, TIMED_OUT,
        /** Back to the queue after {@code retryAfter}, its attempt counted. */
        RETRY,
        /** Back to the queue now, its attempt recorded as interrupted by shutdown and not counted. */
        REQUEUE_INTERRUPTED
    }
}
