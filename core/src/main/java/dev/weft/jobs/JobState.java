package dev.weft.jobs;

/**
 * The life of a job: {@code QUEUED -> RUNNING ->} exactly one terminal state ({@code QUEUED -> CANCELLED} when
 * cancelled before it started). The terminal state is decided once, under any race of completion, failure,
 * cancellation and timeout, and never changes.
 */
public enum JobState {
    /** Accepted, waiting for a run slot. */
    QUEUED,
    /** Its body (or a retry of it) is running. */
    RUNNING,
    /** The body returned a value. */
    SUCCEEDED,
    /** The body failed, and no retry was left or allowed. */
    FAILED,
    /** Cancelled (explicitly, or at shutdown) before it finished. */
    CANCELLED,
    /** Its timeout passed before it finished. */
    TIMED_OUT;

    /** Whether this state is final. */
    public boolean isTerminal() {
        return ordinal() >= SUCCEEDED.ordinal();
    }
}
