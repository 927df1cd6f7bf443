package dev.weft.progress;

/**
 * Whether a {@link Progress} node is still running and, once it has ended, how. A node ends once, by
 * {@link Progress#complete()} ({@code SUCCEEDED}) or {@link Progress#end(ProgressState)}; the state never changes
 * after that. A scope's node ends when the scope closes, in the state the scope ended in.
 *
 * <p>The state says how the work ended; the fraction says how much of it was done. Only a {@code SUCCEEDED} node
 * is complete (fraction 1.0); a node that ended otherwise keeps the fraction of the work it had done.
 */
public enum ProgressState {
    /** Not ended yet: its counts may still change. */
    RUNNING,
    /** Ended with all its work done: complete, fraction 1.0. */
    SUCCEEDED,
    /** Ended by a failure: the fraction is the work done before it. */
    FAILED,
    /** Ended by a cancellation: the fraction is the work done before it. */
    CANCELLED,
    /** Ended by a deadline or timeout: the fraction is the work done before it. */
    TIMED_OUT;

    /** Whether this state is final (anything but {@code RUNNING}). */
    public boolean hasEnded() {
        return this != RUNNING;
    }
}
