package dev.weft.jobs;

/**
 * A job ended FAILED: its body (or a task it forked) threw, and no retry was left or allowed. The cause is the last
 * attempt's failure.
 */
public final class JobFailedException extends JobNotSucceededException {

    JobFailedException(JobRecord record, Throwable cause) {
        super(record, "FAILED" + (record.error() != null
                ? ": " + record.error().type() + (record.error().message() != null ? ": " + record.error().message() : "")
                : ""), cause);
    }
}
