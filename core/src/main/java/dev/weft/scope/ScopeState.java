package dev.weft.scope;

/**
 * The life of a scope: {@code OPEN}, then exactly one terminal state, set once when the owner's
 * {@link Scope#join()} finishes (or at {@link Scope#close()} when the owner never joined).
 */
public enum ScopeState {
    /** Open: tasks may be forked and run. */
    OPEN,
    /** {@code join()} returned a result. */
    SUCCEEDED,
    /** {@code join()} threw {@link ScopeFailedException}. */
    FAILED,
    /** {@code join()} threw {@link ScopeCancelledException}, or the scope was closed without a join. */
    CANCELLED,
    /** {@code join()} threw {@link ScopeTimeoutException}, or returned partial results after the deadline. */
    TIMED_OUT;

    /** Whether this state is final. */
    public boolean isTerminal() {
        return this != OPEN;
    }
}
