package dev.weft.jobs;

/**
 * The work of a job. It runs on a virtual thread that owns the job's root scope ({@link JobContext#scope()}),
 * so it may fork tasks into that scope and open nested scopes; the job ends when the body has returned and every
 * task has finished.
 *
 * @param <T> the result type
 */
@FunctionalInterface
public interface JobBody<T> {

    /** Does the job's work; a thrown exception fails the attempt (and may be retried). */
    T run(JobContext context) throws Exception;
}
