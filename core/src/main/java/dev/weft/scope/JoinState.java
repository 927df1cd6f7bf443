package dev.weft.scope;

import java.util.List;
import java.util.Optional;

/**
 * What a scope knows when its owner's {@link Scope#join()} has stopped waiting, handed to
 * {@link Join#result(JoinState)}. Every task in {@link #tasks()} is in a terminal state by then: tasks that were
 * still running when the scope stopped are reported {@code CANCELLED} (or {@code TIMED_OUT} after a deadline),
 * whatever they do afterwards.
 *
 * @param <T> the tasks' result type
 */
public sealed interface JoinState<T> permits JoinedTasks {

    /** The scope's path. */
    String scopePath();

    /** Every task of the scope, in fork order. */
    List<Task<T>> tasks();

    /** The failed and timed-out tasks, in the order they completed (not fork order). */
    List<Task<T>> failures();

    /** Why the scope stopped before all its tasks finished; empty if they all finished. */
    Optional<CancellationReason> stopReason();

    /** Whether the scope's deadline (its own or inherited) passed before the tasks finished. */
    boolean deadlineExpired();

    /**
     * The exception for the failures: the first failure in completion order, the others suppressed.
     *
     * @throws IllegalStateException if there was no failure
     */
    ScopeFailedException failure();

    /** The exception for an expired deadline, naming the scope and the deadline. */
    ScopeTimeoutException timeout();
}
