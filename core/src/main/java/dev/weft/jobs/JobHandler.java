package dev.weft.jobs;

/**
 * The work of a {@linkplain JobType typed job}: like {@link JobBody}, with the job's payload. It runs as the
 * attempt's {@code main} task, on a virtual thread of its own (see {@link JobBody} for what it may do with the
 * scope). On a durable store a job may run more than once (delivery is at least once): a handler that changes
 * the world should be idempotent, or check by the job's id whether its work is already done.
 *
 * @param <P> the payload type
 * @param <R> the result type
 */
@FunctionalInterface
public interface JobHandler<P, R> {

    /** Does the job's work on {@code payload}; a thrown exception fails the attempt (and may be retried). */
    R run(JobContext context, P payload) throws Exception;
}
