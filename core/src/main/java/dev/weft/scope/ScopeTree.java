package dev.weft.scope;

/**
 * Finds the scope that encloses a scope being opened: the innermost open scope owned by the current thread, or
 * else the scope of the task the current thread runs.
 */
final class ScopeTree {

    /** The innermost open scope owned by this thread; set at open, restored at close. */
    private static final ThreadLocal<ScopeImpl<?, ?>> OWNED = new ThreadLocal<>();

    private ScopeTree() {
    }

    static ScopeImpl<?, ?> enclosing() {
        ScopeImpl<?, ?> owned = OWNED.get();
        if (owned != null) {
            return owned;
        }
        return TaskImpl.CURRENT.isBound() ? TaskImpl.CURRENT.get().scope : null;
    }

    /** Records {@code scope} as the innermost scope of this thread; returns the one it hides. */
    static ScopeImpl<?, ?> enter(ScopeImpl<?, ?> scope) {
        ScopeImpl<?, ?> previous = OWNED.get();
        OWNED.set(scope);
        return previous;
    }

    static void exit(ScopeImpl<?, ?> scope, ScopeImpl<?, ?> previous) {
        if (OWNED.get() == scope) {
            if (previous == null) {
                OWNED.remove();
            } else {
                OWNED.set(previous);
            }
        }
    }
}
