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
     * How the task ended.
     *
     * @throws IllegalStateException if the task has not ended yet
     */
    Outcome<T> outcome();
}
