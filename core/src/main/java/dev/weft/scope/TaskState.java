package dev.weft.scope;

/**
 * The life of a task: {@code QUEUED -> RUNNING -> } exactly one terminal state. A task cancelled before it
 * started goes from {@code QUEUED} straight to {@code CANCELLED}. The terminal state is decided once, by the
 * first of completion, failure, cancellation and timeout, and never changes after.
 */
public enum TaskState {
    /** Forked, waiting for the concurrency cap or for the owner to start it. No thread yet. */
    QUEUED,
    /** Its thread is running the task. */
    RUNNING,
    /** Returned a value. */
    SUCCEEDED,
    /** Threw an exception while its scope was not cancelled. */
    FAILED,
    /** Cancelled before or while running; an exception it threw because of that is not a failure. */
    CANCELLED,
    /** Its own timeout, or its scope's deadline, passed before it finished. */
    TIMED_OUT;

    /** Whether this state is final. */
    public boolean isTerminal() {
        return ordinal() >= SUCCEEDED.ordinal();
    }
}
