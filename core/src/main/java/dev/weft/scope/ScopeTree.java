package dev.weft.scope;

import java.util.ArrayList;
import java.util.List;

/**
 * Where a new scope nests: which open scope encloses the scope being opened, and which task opened it. Keeps,
 * per thread, the innermost scope that thread owns.
 */
final class ScopeTree {

    /*
     * Implementation notes.
     *
     * Per thread, the scopes a thread owns form a stack linked through ScopeImpl.outerOwned, whose top is kept in
     * the task (TaskImpl.ownedScope) for a task's own thread and in a ThreadLocal for any other thread. The stack
     * is repaired, never trusted: a scope that has been closed, or whose join has finished, is skipped when a new
     * scope looks for its parent, so one scope closed out of order or never closed (a pooled platform thread that
     * leaked one) does not make every later scope on that thread the child of a dead one. Closing a scope closes
     * first the scopes that the same thread opened after it and left open.
     *
     * Shield. A scope opened in shielded cleanup must not be cancelled because the task running the cleanup is:
     * when the task's thread is shielded and owns no scope opened inside the shield, the new scope is a root.
     */

    private static final ThreadLocal<ScopeImpl<?, ?>> OWNED = new ThreadLocal<>();

    private ScopeTree() {
    }

    /** Where a scope opened now by the calling thread nests. */
    record Enclosing(ScopeImpl<?, ?> parent, TaskImpl<?> openedBy) {
    }

    static Enclosing enclosing() {
        TaskImpl<?> current = TaskImpl.current();
        TaskImpl<?> own = isOwn(current) ? current : null;
        ScopeImpl<?, ?> owned = usable(own != null ? own.ownedScope : OWNED.get());
        if (own != null && own.isShielded() && (owned == null || owned == usable(own.shieldBase))) {
            return new Enclosing(null, null); // opened in shielded cleanup (see notes)
        }
        if (owned != null) {
            return new Enclosing(owned, null);
        }
        if (current != null) {
            return new Enclosing(current.scope, own);
        }
        return new Enclosing(null, null);
    }

    /** The innermost scope this thread owns, for a shield to remember. */
    static ScopeImpl<?, ?> innermostOwned() {
        TaskImpl<?> current = TaskImpl.current();
        return isOwn(current) ? current.ownedScope : OWNED.get();
    }

    /** Records {@code scope} as the innermost scope of this thread; returns the one it hides. */
    static ScopeImpl<?, ?> enter(ScopeImpl<?, ?> scope) {
        TaskImpl<?> current = TaskImpl.current();
        if (isOwn(current)) {
            ScopeImpl<?, ?> previous = current.ownedScope;
            current.ownedScope = scope;
            return previous;
        }
        ScopeImpl<?, ?> previous = OWNED.get();
        OWNED.set(scope);
        return previous;
    }

    /**
     * The scopes this thread opened after {@code scope} and has not closed, innermost first: they must close
     * before it does.
     */
    static List<ScopeImpl<?, ?>> openedAfter(ScopeImpl<?, ?> scope) {
        List<ScopeImpl<?, ?>> above = new ArrayList<>();
        for (ScopeImpl<?, ?> s = innermostOwned(); s != null && s != scope; s = s.outerOwned()) {
            if (!s.isClosed()) {
                above.add(s);
            }
        }
        return above;
    }

    /** Removes {@code scope} from this thread's stack, with any closed scope right under it. */
    static void exit(ScopeImpl<?, ?> scope) {
        TaskImpl<?> current = TaskImpl.current();
        boolean own = isOwn(current);
        ScopeImpl<?, ?> top = own ? current.ownedScope : OWNED.get();
        if (top != scope) {
            return; // not on this thread's stack top: left for the skipping in enclosing()
        }
        ScopeImpl<?, ?> next = scope.outerOwned();
        while (next != null && next.isClosed()) {
            next = next.outerOwned();
        }
        if (own) {
            current.ownedScope = next;
        } else {
            OWNED.set(next); // set, never remove: a thread that opens scopes opens many
        }
    }

    /** The nearest scope in the chain from {@code s} that may still be a parent, or null. */
    private static ScopeImpl<?, ?> usable(ScopeImpl<?, ?> s) {
        while (s != null && !s.acceptsChildren()) {
            s = s.outerOwned();
        }
        return s;
    }

    private static boolean isOwn(TaskImpl<?> task) {
        return task != null && task.thread() == Thread.currentThread();
    }
}
