package dev.weft.scope;

/**
 * The base of the exceptions a scope's {@link Scope#join()} throws when it does not return a result. Each
 * names the scope path ({@code checkout/pricing}) it came from.
 */
public abstract sealed class ScopeException extends RuntimeException
        permits ScopeFailedException, ScopeTimeoutException, ScopeCancelledException {

    private final String scopePath;

    ScopeException(String scopePath, String message, Throwable cause) {
        super(message, cause);
        this.scopePath = scopePath;
    }

    /** The path of the scope, from the root: {@code checkout/pricing}. */
    public String scopePath() {
        return scopePath;
    }
}
