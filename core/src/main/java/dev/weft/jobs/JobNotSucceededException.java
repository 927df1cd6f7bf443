package dev.weft.jobs;

/**
 * A job awaited through {@link JobHandle#await()} ended other than SUCCEEDED. The subclass says how, so a program
 * can tell the cases apart without reading messages:
 *
 * <pre>{@code
 * try {
 *     return handle.await();
 * } catch (JobCancelledException e) {        // cancelled by someone, or at shutdown: e.reason().kind()
 *     ...
 * } catch (JobTimedOutException e) {         // its own timeout passed
 *     ...
 * } catch (JobFailedException e) {           // the body failed: e.getCause() is what it threw
 *     ...
 * }
 * }</pre>
 *
 * <p>Each carries the job's final {@link #record()}.
 */
public abstract sealed class JobNotSucceededException extends RuntimeException
        permits JobFailedException, JobCancelledException, JobTimedOutException {

    private final transient JobRecord record;

    JobNotSucceededException(JobRecord record, String how, Throwable cause) {
        super("job " + record.id() + " (" + record.name() + ") " + how, cause);
        this.record = record;
    }

    /** The job's final record. */
    public JobRecord record() {
        return record;
    }
}
