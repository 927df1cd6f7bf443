package dev.weft.scope;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * When a scope's tasks may run, and who waits for what: the count of unfinished tasks, the tasks forked by tasks
 * that wait for the owner to start them, the free run slots under a concurrency cap, and the waits of the owner
 * and of threads waiting for one task.
 */
final class RunControl<T> {

    /*
     * Implementation notes.
     *
     * One lock, one condition. Every wait (the owner's in fork and join, a thread in Task.join, a task taking
     * back its run slot) is a loop "while the condition is false, await `changed`" under `lock`, and every change
     * that can make a condition true signals `changed` (signalAll: the waiters wait for different things).
     * Nobody spins and nobody parks outside the condition, so a virtual thread waiting here releases its carrier.
     *
     * Counts outside the lock. `unfinished` (forked and not yet exited) and `permits` (free run slots) are
     * atomics, so the owner's fork and a task's exit take no lock on the common path. A waiter registers in
     * `waiters` (a volatile write, under the lock) before it checks its condition; a thread that changes a count
     * then reads `waiters` and, if anyone waits, takes the lock and signals. Both sides write before they read,
     * on volatiles, so at least one sees the other: a waiter either sees the change or is signalled. The queue of
     * requested tasks and the `stopped` flag are only touched under the lock; `queued`, the queue's length, is
     * written under the lock and read without it, so the owner takes the lock to poll only when a task is queued
     * (a request it misses there is seen by its next wait, which checks the queue under the lock). A queued task
     * is counted in `unfinished` from its request until its exit, so `unfinished == 0` means nothing is queued.
     *
     * Stop. stop() sets `stopped` under the lock and takes every queued task out; a request made after that is
     * refused under the same lock, so no task is left queued once the scope has stopped.
     */

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Tasks counted and not yet exited (started or queued). */
    private final AtomicInteger unfinished = new AtomicInteger();
    /** Free run slots under the cap; null without a cap. */
    private final AtomicInteger permits;
    /** The cap, or 0 for none. Immutable. */
    final int cap;
    /** Threads waiting on `changed` right now; written under the lock, read by anyone. */
    private volatile int waiters;
    /** Those of the waiters that wait for one task to end, so that every exit must wake them. */
    private volatile int taskWaiters;
    /** Tasks forked by tasks, for the owner to start; made by the first request. Guarded by lock. */
    private ArrayDeque<TaskImpl<T>> requested;
    /** How many tasks `requested` holds; written under the lock, read by anyone. */
    private volatile int queued;
    /** Whether the scope stopped; guarded by lock. */
    private boolean stopped;

    RunControl(int cap) {
        this.cap = cap;
        this.permits = cap == 0 ? null : new AtomicInteger(cap);
    }

    // ---- counting ----

    /** Counts a task the owner is about to start. */
    void countStarting() {
        unfinished.incrementAndGet();
    }

    /** A counted task exited (its body returned, or it was settled without running); returns its run slot. */
    void countExit(boolean heldPermit) {
        if (heldPermit) {
            permits.incrementAndGet();
        }
        // the owner waits for the last exit or for a slot; only a wait for one task needs every exit
        if (unfinished.decrementAndGet() == 0 || heldPermit || taskWaiters != 0) {
            signalIfWaiting();
        }
    }

    /** Whether every counted task has exited and no requested task waits to start (a queued task is counted). */
    boolean quiescent() {
        return unfinished.get() == 0;
    }

    // ---- requests ----

    /** Queues a task forked by a task and counts it; false (nothing queued) if the scope has stopped. */
    boolean request(TaskImpl<T> task, Runnable log) {
        lock.lock();
        try {
            if (stopped) {
                return false;
            }
            unfinished.incrementAndGet();
            log.run();
            if (requested == null) {
                requested = new ArrayDeque<>();
            }
            requested.add(task);
            queued++;
            changed.signalAll();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Owner: the oldest requested task that may start now (with a run slot taken for it under a cap), or null.
     */
    TaskImpl<T> pollStartable() {
        if (queued == 0) {
            return null; // see notes
        }
        lock.lock();
        try {
            if (queued == 0 || (cap != 0 && !tryAcquire())) {
                return null;
            }
            queued--;
            return requested.poll();
        } finally {
            lock.unlock();
        }
    }

    /** Marks the scope stopped and takes out every queued task (still counted: the caller settles each). */
    List<TaskImpl<T>> stop() {
        lock.lock();
        try {
            stopped = true;
            changed.signalAll();
            if (queued == 0) {
                return List.of();
            }
            List<TaskImpl<T>> drained = new ArrayList<>(requested);
            requested.clear();
            queued = 0;
            return drained;
        } finally {
            lock.unlock();
        }
    }

    // ---- run slots ----

    /** Takes a free run slot if there is one. */
    boolean tryAcquire() {
        int p;
        while ((p = permits.get()) > 0) {
            if (permits.compareAndSet(p, p - 1)) {
                return true;
            }
        }
        return false;
    }

    boolean hasFreeSlot() {
        return permits.get() > 0;
    }

    /** Gives back a run slot held by a task that is about to wait. */
    void release() {
        permits.incrementAndGet();
        signalIfWaiting();
    }

    /**
     * A task takes back a run slot after a wait, waiting for one if needed; returns at once if {@code stopped}
     * answers true (the task is being cancelled and needs no slot), reporting whether it holds one.
     */
    boolean reacquire(BooleanSupplier stopped) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    await(() -> stopped.getAsBoolean() || permits.get() > 0);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
                if (tryAcquire()) {
                    return true;
                }
                if (stopped.getAsBoolean()) {
                    return false;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ---- waiting ----

    /**
     * Waits until {@code done} answers true, a requested task can start, or the scope stopped: the owner's wait,
     * which must start requested tasks. A queued task that has no free slot does not end the wait (the owner
     * would only loop). Checks {@code done} under the lock.
     */
    void awaitOwner(BooleanSupplier done, boolean forOneTask) throws InterruptedException {
        await(() -> done.getAsBoolean() || startable() || stopped, forOneTask);
    }

    /** Whether a requested task could start now: one is queued and, under a cap, a slot is free. Under lock. */
    private boolean startable() {
        return queued != 0 && (cap == 0 || permits.get() > 0);
    }

    /** Waits until {@code done} answers true (checked under the lock, after every change). */
    void await(BooleanSupplier done) throws InterruptedException {
        await(done, false);
    }

    /**
     * Waits until {@code done} answers true; {@code forOneTask}: the wait ends with one task's end, so every task
     * exit must wake it, not only the last one.
     */
    void await(BooleanSupplier done, boolean forOneTask) throws InterruptedException {
        lock.lock();
        try {
            waiters++;
            if (forOneTask) {
                taskWaiters++;
            }
            try {
                while (!done.getAsBoolean()) {
                    changed.await();
                }
            } finally {
                waiters--;
                if (forOneTask) {
                    taskWaiters--;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Waits, ignoring interrupts, until every counted task has exited; restores the interrupt status. */
    void awaitAllExitedUninterruptibly() {
        boolean interrupted = false;
        while (unfinished.get() != 0) {
            try {
                await(() -> unfinished.get() == 0);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Wakes every waiter if there is one; called after a change made outside the lock (see notes). */
    void signalIfWaiting() {
        if (waiters != 0) {
            lock.lock();
            try {
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }
}
