package dev.weft.scope;

import java.util.Optional;

/**
 * A handle on a forked task. Returned by {@link Scope#fork}; read it after {@link Scope#join()} (or, from a
 * join policy, once the task has completed).
 *
 * @param <T> the result type
 */
public sealed interface Task<T> permits TaskImpl {

    /** The task's name, unique in practice within its scope; {@code task-N} when none was given. */
    String name();

    /** The task's full path: the scope path and the task name, {@code checkout/pricing/vendorA}. */
    String path();

    /** The state right now; terminal states never change. */
    TaskState state();

    /**
     * The task's value.
     *
     * @throws IllegalStateException if the task has not {@linkplain TaskState#SUCCEEDED succeeded}; the message
     *         says what state it is in
     */
    T get();

    /**
     * The exception the task threw, or for a timed-out task a {@link java.util.concurrent.TimeoutException}
     * naming its timeout.
     *
     * @throws IllegalStateException if the task is not {@linkplain TaskState#FAILED failed} or
     *         {@linkplain TaskState#TIMED_OUT timed out}
     */
    Throwable exception();

    /** Why the task was cancelled or timed out; empty otherwise. */
    Optional<CancellationReason> cancellationReason();

    /**
     * Waits until this task has ended and returns its value. Respects the scope's cancellation: if the scope stops
     * while the task has not ended, this returns at once by throwing. May be called from any thread: the scope's
     * owner (which starts tasks forked by tasks while it waits), a task of the scope or of a scope nested in it
     * (under a concurrency cap, a task of the same scope gives up its run slot while it waits, so waiting for a
     * queued task cannot deadlock), or any other thread.
     *
     * @return the task's value
     * @throws ScopeFailedException    if the task failed (the cause is its exception) or timed out on its own
     *                                 timeout (the cause is a {@link java.util.concurrent.TimeoutException})
     * @throws ScopeCancelledException if the task was cancelled, or the scope stopped before it ended; the reason
     *                                 says why
     * @throws InterruptedException    if the calling thread was interrupted while waiting
     */
    T join() throws InterruptedException;

    /**
     * How the task ended.
     *
     * @throws IllegalStateException if the task has not ended yet
     */
    Outcome<T> outcome();
}
