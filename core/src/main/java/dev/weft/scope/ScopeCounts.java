package dev.weft.scope;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * What a scope counts, and how its owner waits on the counts: the tasks forked and exited, the free run slots
 * under a cap, and the owner's park and wake-up. {@link ScopeImpl} extends it with the lifecycle; the split keeps
 * each file readable without an extra object per scope.
 */
abstract class ScopeCounts<T> extends ScopeRecords<T> {

    /*
     * Implementation notes.
     *
     * Counting. unfinished = ownerForks - exitBalance. The owner raises `ownerForks` with a plain release store
     * (it is the only writer), so the owner's fork path has no atomic read-modify-write on a line that exiting
     * tasks update; a fork by a task lowers `exitBalance` instead; every exit raises it. An exit that brings
     * exitBalance to ownerForks was the last: every owner fork then has its exit earlier in exitBalance's
     * modification order, and each of those exits happens after the owner's store that counted it, so the
     * exiting task's acquire read sees the final ownerForks. An earlier read of a stale ownerForks can only
     * cause a spurious wake-up, which the owner's re-check absorbs.
     *
     * Owner waiting. The owner parks in awaitOwner(condition); anything that may make a condition true (a task
     * exit, a request, a stop) changes state with a volatile write or an atomic, then reads `ownerParked` and
     * unparks the owner if set. The owner sets `ownerParked` before re-checking its condition, so one of the two
     * sides always sees the other (Dekker, on volatiles), and no wake-up is lost. Without a cap the owner's only
     * conditions are "nothing unfinished and nothing requested" (join) and "stopped", so a task exit wakes it
     * only when it was the last: a join over n tasks parks and unparks the owner once, not n times
     * (as the JDK's own join does). With a cap every exit frees a slot the owner may be waiting for, so every
     * exit wakes it.
     *
     * Cap. `permits` counts free run slots (maxConcurrency at start, unused when there is no cap). A task takes
     * one before its thread is created and returns it when its body exits, so at most maxConcurrency threads
     * of the scope run tasks at any time.
     */

    static final int NO_CAP = 0;

    /** The thread that opened the scope. Immutable. */
    final Thread owner;
    /** The cap on running tasks, or NO_CAP. Immutable. */
    final int maxConcurrency;
    /**
     * The tasks the owner has forked. Written by the owner only (a release store, no atomic); read by the owner
     * and, with acquire, by exiting tasks.
     */
    private volatile int ownerForks;
    /**
     * The tasks that have exited, less the tasks forked by tasks (see notes). Atomic updates by exiting tasks,
     * by forking tasks, and by the owner for a task it settles before starting.
     */
    private volatile int exitBalance;
    /** Free run slots under the cap. Atomic updates. */
    private volatile int permits;
    /** Set by the owner while it may park; read by wakers. */
    private volatile boolean ownerParked;
    /** Owner-confined: whether the owner's last wait for a slot took one. */
    private boolean ownerTookPermit;

    /** Counts for a scope opened by the calling thread, with at most {@code maxConcurrency} running tasks. */
    ScopeCounts(int maxConcurrency) {
        this.owner = Thread.currentThread();
        this.maxConcurrency = maxConcurrency;
        this.permits = maxConcurrency;
    }

    /** Whether the scope has been stopped. */
    abstract boolean isStopped();

    /** Owner: starts the requested tasks that the cap allows; called whenever the owner is about to wait. */
    abstract void startRequested();

    // ---- counting ----

    /** Owner: counts a task it forked, before starting it. */
    final void countOwnerFork() {
        OWNER_FORKS.setRelease(this, ownerForks + 1);
    }

    /** A task: counts a task it forked, before the forking task can exit (see notes). */
    final void countTaskFork() {
        EXIT_BALANCE.getAndAdd(this, -1);
    }

    /** Owner: counts as exited a task it settled before starting it, returning its slot if it held one. */
    final void countExitBeforeStart(boolean holdsPermit) {
        if (holdsPermit) {
            PERMITS.getAndAdd(this, 1);
        }
        EXIT_BALANCE.getAndAdd(this, 1);
    }

    /** The task's body has exited (or it was settled before starting); its thread is about to end. */
    final void onTaskExit() {
        if (maxConcurrency != NO_CAP) {
            PERMITS.getAndAdd(this, 1);
            EXIT_BALANCE.getAndAdd(this, 1);
            wakeOwner(); // the freed slot may let the owner fork or start a requested task
        } else if ((int) EXIT_BALANCE.getAndAdd(this, 1) + 1 == (int) OWNER_FORKS.getAcquire(this)) {
            wakeOwner(); // without a cap, an exit matters to the owner only when it was the last one (see notes)
        }
    }

    /** Whether every task counted so far has exited. */
    final boolean allExited() {
        return exitBalance == ownerForks;
    }

    // ---- the cap ----

    /** Takes a free run slot if there is one. */
    final boolean tryAcquirePermit() {
        int p;
        while ((p = permits) > 0) {
            if (PERMITS.compareAndSet(this, p, p - 1)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Owner, under a cap: takes a free run slot, waiting for one if needed (and starting requested tasks
     * meanwhile); false if the scope stopped first.
     */
    final boolean awaitPermit() throws InterruptedException {
        if (tryAcquirePermit()) {
            return true;
        }
        try {
            awaitOwner(this::permitTakenOrStopped);
            return ownerTookPermit;
        } finally {
            ownerTookPermit = false;
        }
    }

    /** Owner's wait condition in awaitPermit; records in ownerTookPermit whether it took a slot. */
    private boolean permitTakenOrStopped() {
        if (isStopped()) {
            return true;
        }
        return ownerTookPermit = tryAcquirePermit();
    }

    // ---- owner waiting ----

    /** Unparks the owner if it may be parked in awaitOwner; called after changing what it waits on. */
    final void wakeOwner() {
        if (ownerParked) {
            LockSupport.unpark(owner);
        }
    }

    /**
     * Owner: waits until {@code done} answers true, starting requested tasks meanwhile. {@code done} may have
     * a side effect when it answers true (taking a cap permit): every true answer ends the wait, so that effect
     * is never lost.
     */
    final void awaitOwner(BooleanSupplier done) throws InterruptedException {
        while (true) {
            startRequested();
            if (done.getAsBoolean()) {
                return;
            }
            ownerParked = true;
            try {
                // re-check after publishing ownerParked, so a wake-up between the checks above and park is not lost
                if (hasRequests()) {
                    continue;
                }
                if (done.getAsBoolean()) {
                    return;
                }
                LockSupport.park(this);
            } finally {
                ownerParked = false;
            }
            if (Thread.interrupted()) {
                throw new InterruptedException("owner of scope " + path() + " interrupted");
            }
        }
    }

    // VarHandle mechanics
    private static final VarHandle OWNER_FORKS;
    private static final VarHandle EXIT_BALANCE;
    private static final VarHandle PERMITS;

    static {
        try {
            var lookup = MethodHandles.lookup();
            OWNER_FORKS = lookup.findVarHandle(ScopeCounts.class, "ownerForks", int.class);
            EXIT_BALANCE = lookup.findVarHandle(ScopeCounts.class, "exitBalance", int.class);
            PERMITS = lookup.findVarHandle(ScopeCounts.class, "permits", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
