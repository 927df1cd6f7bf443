package dev.weft.scope;

import dev.weft.internal.AppendLog;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * What a scope records about its tasks and child scopes: the tasks in fork order, the failures in completion
 * order, the tasks forked by tasks and waiting for the owner, the open child scopes, and the automatic task
 * names. {@link ScopeCounts} extends it with the counts and the owner's waits, and {@link ScopeImpl} with the
 * lifecycle (fork, join, stop, close); the split keeps each file readable without an extra object per scope.
 */
abstract class ScopeRecords<T> {

    /*
     * Implementation notes.
     *
     * `tasks` is an AppendLog: a fork claims its place and its automatic name number in one atomic step, then
     * publishes the task; no lock, so the owner's fork loop takes one uncontended atomic per task. Snapshots
     * are copies.
     * `failures`, `requested` and `children` are made on first use, by CAS from any thread, and null until then:
     * most scopes have no failure, no fork from a task and no child scope, and would otherwise pay about 180
     * bytes for them. `failures` is appended by the thread that settles a task as failed, before that task's
     * terminal state is published, so the order matches the order other threads observe. `requested` is filled
     * by tasks that fork and drained by the owner. `children` is added to and removed from by the children's
     * owners, and iterated by a stop cascade.
     */

    /** The tasks in fork order: claimed and set by forking threads (no lock), read by anyone. */
    private final AppendLog<TaskImpl<T>> tasks = new AppendLog<>();
    /** Failed and timed-out tasks in completion order; appended by completing threads. */
    private volatile ConcurrentLinkedQueue<TaskImpl<T>> failures;
    /** Tasks forked by non-owner threads, waiting for the owner to start them. */
    private volatile ConcurrentLinkedQueue<TaskImpl<T>> requested;
    /** Open child scopes; added and removed by the children's owners, iterated by stop(). */
    private volatile Set<ScopeImpl<?, ?>> children;
    // VarHandle mechanics
    private static final VarHandle FAILURES;
    private static final VarHandle REQUESTED;
    private static final VarHandle CHILDREN;

    static {
        try {
            var lookup = MethodHandles.lookup();
            FAILURES = lookup.findVarHandle(ScopeRecords.class, "failures", ConcurrentLinkedQueue.class);
            REQUESTED = lookup.findVarHandle(ScopeRecords.class, "requested", ConcurrentLinkedQueue.class);
            CHILDREN = lookup.findVarHandle(ScopeRecords.class, "children", Set.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** This scope's path, which prefixes its tasks' paths. */
    abstract String path();

    /**
     * Creates a forked task and records it, in fork order. A task without a name gets the next automatic one,
     * drawn in the same atomic step that places it in the order.
     */
    @SuppressWarnings("unchecked")
    final TaskImpl<T> addTask(String name, long timeoutNanos, Callable<? extends T> body) {
        long claim = tasks.claim(name == null);
        // no string here: the task builds its name and path when first asked (see TaskImpl)
        var task = new TaskImpl<T>((ScopeImpl<T, ?>) this, name, name == null ? AppendLog.numberOf(claim) + 1 : 0,
                timeoutNanos, body);
        tasks.set(AppendLog.indexOf(claim), task);
        return task;
    }

    /** Whether any task has been forked. */
    final boolean hasTasks() {
        return forkCount() != 0;
    }

    /** How many tasks have been forked, by the owner and by tasks, including forks still in progress. */
    final int forkCount() {
        return tasks.claimed();
    }

    /**
     * The tasks in fork order: a fresh copy that nothing else holds, so callers iterate it freely and hand it out
     * behind an unmodifiable view (a task whose fork has not returned may be missing).
     */
    final List<TaskImpl<T>> taskList() {
        return tasks.snapshot();
    }

    /** A task failed or timed out on its own; called while it settles, before its terminal state is visible. */
    final void recordFailure(TaskImpl<T> task) {
        ConcurrentLinkedQueue<TaskImpl<T>> queue = failures;
        (queue != null ? queue : madeOnce(FAILURES)).add(task);
    }

    /** The failed and timed-out tasks in completion order, as an immutable copy. */
    final List<TaskImpl<T>> failureList() {
        ConcurrentLinkedQueue<TaskImpl<T>> queue = failures;
        return queue == null ? List.of() : List.copyOf(queue);
    }

    /** Queues a task forked by a task, for the owner to start. */
    final void request(TaskImpl<T> task) {
        ConcurrentLinkedQueue<TaskImpl<T>> queue = requested;
        (queue != null ? queue : madeOnce(REQUESTED)).add(task);
    }

    /** The queue in the field behind {@code handle}, made and installed by CAS if it is still null. */
    @SuppressWarnings("unchecked")
    private ConcurrentLinkedQueue<TaskImpl<T>> madeOnce(VarHandle handle) {
        var made = new ConcurrentLinkedQueue<TaskImpl<T>>();
        var won = (ConcurrentLinkedQueue<TaskImpl<T>>) handle.compareAndExchange(this,
                (ConcurrentLinkedQueue<TaskImpl<T>>) null, made);
        return won == null ? made : won;
    }

    /** The oldest requested task, left in place, or null. */
    final TaskImpl<T> peekRequest() {
        ConcurrentLinkedQueue<TaskImpl<T>> queue = requested;
        return queue == null ? null : queue.peek();
    }

    /** Removes and returns the oldest requested task, or null. */
    final TaskImpl<T> pollRequest() {
        ConcurrentLinkedQueue<TaskImpl<T>> queue = requested;
        return queue == null ? null : queue.poll();
    }

    final boolean hasRequests() {
        ConcurrentLinkedQueue<TaskImpl<T>> queue = requested;
        return queue != null && !queue.isEmpty();
    }

    /** Records an open child scope; called by the child's owner at open. */
    final void addChild(ScopeImpl<?, ?> child) {
        Set<ScopeImpl<?, ?>> open = children;
        if (open == null) {
            open = ConcurrentHashMap.newKeySet();
            if (!CHILDREN.compareAndSet(this, null, open)) {
                open = children;
            }
        }
        open.add(child);
    }

    /** Forgets a child scope; called by the child's owner at close, after addChild. */
    final void removeChild(ScopeImpl<?, ?> child) {
        children.remove(child);
    }

    /** The open child scopes now (an immutable copy; empty if none). */
    final List<ScopeImpl<?, ?>> childList() {
        Set<ScopeImpl<?, ?>> open = children;
        return open == null ? List.of() : List.copyOf(open);
    }
}
