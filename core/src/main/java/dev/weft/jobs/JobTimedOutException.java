package dev.weft.jobs;

/**
 * A job ended TIMED_OUT: its {@linkplain JobSpec.Builder#timeout(java.time.Duration) timeout} passed, over all
 * its attempts, before it finished. The cause, if any, is the scope timeout that stopped the last attempt.
 */
public final class JobTimedOutException extends JobNotSucceededException {

    JobTimedOutException(JobRecord record, Throwable cause) {
        super(record, "TIMED_OUT" + (record.cancellationReason() != null
                ? ": " + record.cancellationReason().detail() : ""), cause);
    }
}
