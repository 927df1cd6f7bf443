package dev.weft.jobs;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * A submitted job, returned by {@link JobRuntime#submit}. Submitting with a key that names a queued or running job
 * returns that job's handle.
 *
 * @param <T> the result type
 */
public sealed interface JobHandle<T> permits Job, DurableHandle {

    /** The job's id. */
    String id();

    /** A snapshot of the job's record. */
    JobRecord record();

    /**
     * Waits for the job to end and returns its value.
     *
     * @throws JobFailedException   if it ended FAILED, CANCELLED or TIMED_OUT (the record says which)
     * @throws InterruptedException if interrupted while waiting
     */
    T await() throws InterruptedException;

    /**
     * Waits at most {@code timeout} for the job to end and returns its value.
     *
     * @throws TimeoutException   if it is still not finished
     * @throws JobFailedException if it ended other than SUCCEEDED
     */
    T await(Duration timeout) throws InterruptedException, TimeoutException;

    /** Waits at most {@code timeout} for the job to end; {@code true} if it has. */
    boolean awaitCompletion(Duration timeout) throws InterruptedException;

    /**
     * Requests cancellation with reason {@code why}; see {@link JobRuntime#cancel(String, String)}.
     *
     * @return {@code true} if this call cancelled it, {@code false} if it had already ended or was being cancelled
     */
    boolean cancel(String why);
}
