package dev.weft.scope;

import java.time.Duration;

/**
 * The scope's deadline passed before the join policy had its answer. The whole subtree was cancelled with
 * reason {@link CancellationReason.Kind#DEADLINE}. The message names the scope and its deadline, and where the
 * deadline was inherited, the scope that set it.
 */
public final class ScopeTimeoutException extends ScopeException {

    private final Duration deadline;

    ScopeTimeoutException(String scopePath, Duration deadline, String message) {
        super(scopePath, message, null);
        this.deadline = deadline;
    }

    /** The deadline that passed, as the duration from the opening of the scope that set it. */
    public Duration deadline() {
        return deadline;
    }
}
