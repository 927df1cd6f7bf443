package dev.weft.jobs;

/**
 * The work of a job. It runs on a virtual thread of its own, as the first task (named {@code main}) of the
 * attempt's root scope ({@link JobContext#scope()}), which the runtime owns, joins and closes. The body may fork
 * tasks into that scope and open nested scopes of its own (it owns and joins those); it must not join or close the
 * root scope ({@link WrongThreadException}). The attempt ends when the body has returned and every task forked
 * into the root scope has finished; its value is the body's. The job's deadline and cancellation interrupt the body
 * itself as well as its tasks.
 *
 * @param <T> the result type
 */
@FunctionalInterface
public interface JobBody<T> {

    /** Does the job's work; a thrown exception fails the attempt (and may be retried). */
    T run(JobContext context) throws Exception;
}
