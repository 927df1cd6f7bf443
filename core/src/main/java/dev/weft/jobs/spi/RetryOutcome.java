package dev.weft.jobs.spi;

import dev.weft.jobs.JobState;

/**
 * What {@link JobStore#retry} did.
 *
 * @param result what happened
 * @param event  for RETRIED: the SUBMITTED event of the re-queued job, else null
 * @param state  for NOT_RETRYABLE: the job's state then, else null
 * @param holder for KEY_HELD: the id of the queued or running job that holds the key, else null
 */
public record RetryOutcome(Result result, StoredEvent event, JobState state, String holder) {

    public enum Result {
        /** The job was FAILED, CANCELLED or TIMED_OUT and is now QUEUED again. */
        RETRIED,
        /** The job is in another state (queued, running or succeeded; another retry may have re-queued it). */
        NOT_RETRYABLE,
        /** Another queued or running job holds the job's key; nothing changed. */
        KEY_HELD,
        /** The store has no such job. */
        NOT_FOUND
    }
}
