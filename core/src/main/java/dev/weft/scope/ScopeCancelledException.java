package dev.weft.scope;

/**
 * The scope was cancelled from outside its join policy (an explicit cancel, its parent's cancellation, runtime
 * shutdown, the owner leaving early) before it had a result. {@link #reason()} says why.
 */
public final class ScopeCancelledException extends ScopeException {

    private final CancellationReason reason;

    ScopeCancelledException(String scopePath, CancellationReason reason) {
        super(scopePath, "scope " + scopePath + " was cancelled: " + reason, reason.cause());
        this.reason = reason;
    }

    /** Why the scope was cancelled. */
    public CancellationReason reason() {
        return reason;
    }
}
