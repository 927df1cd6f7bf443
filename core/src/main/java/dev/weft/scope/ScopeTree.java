package dev.weft.scope;

/**
 * Finds the scope that encloses a scope being opened: the innermost open scope owned by the current thread, or
 * else the scope of the task the current thread runs.
 */
final class ScopeTree {

    /*
     * Implementation notes: a task's own thread keeps its innermost owned scope in its task
     * (TaskImpl.ownedScope), which it reaches through the CURRENT binding; any other thread keeps it in a
     * ThreadLocal. The first read of a ThreadLocal in a thread creates that thread's map (about 136 bytes), which
     * a tree of nested scopes would otherwise pay once per task thread that opens one. A thread that inherited
     * CURRENT without being that task's thread (a thread of a JDK scope opened inside a task) is "any other
     * thread": the task's field is confined to the task's own thread.
     */

    /** The innermost open scope owned by this thread, for threads that do not run a task of their own. */
    private static final ThreadLocal<ScopeImpl<?, ?>> OWNED = new ThreadLocal<>();

    private ScopeTree() {
    }

    static ScopeImpl<?, ?> enclosing() {
        TaskImpl<?> current = TaskImpl.current();
        if (isOwn(current)) {
            return current.ownedScope != null ? current.ownedScope : current.scope;
        }
        ScopeImpl<?, ?> owned = OWNED.get();
        if (owned != null) {
            return owned;
        }
        return current != null ? current.scope : null;
    }

    /** Records {@code scope} as the innermost scope of this thread; returns the one it hides. */
    static ScopeImpl<?, ?> enter(ScopeImpl<?, ?> scope) {
        TaskImpl<?> own = ownTask();
        if (own != null) {
            ScopeImpl<?, ?> previous = own.ownedScope;
            own.ownedScope = scope;
            return previous;
        }
        ScopeImpl<?, ?> previous = OWNED.get();
        OWNED.set(scope);
        return previous;
    }

    static void exit(ScopeImpl<?, ?> scope, ScopeImpl<?, ?> previous) {
        TaskImpl<?> own = ownTask();
        if (own != null) {
            if (own.ownedScope == scope) {
                own.ownedScope = previous;
            }
            return;
        }
        if (OWNED.get() == scope) {
            // set, never remove: a removed entry is made again (a new weak reference) by the next scope this
            // thread opens, and a thread that opens scopes opens many
            OWNED.set(previous);
        }
    }

    /** The task that the calling thread runs as its own thread, or null. */
    private static TaskImpl<?> ownTask() {
        TaskImpl<?> current = TaskImpl.current();
        return isOwn(current) ? current : null;
    }

    /** Whether {@code task} is not null and the calling thread is its own thread. */
    private static boolean isOwn(TaskImpl<?> task) {
        return task != null && task.thread() == Thread.currentThread();
    }
}
