package dev.weft.scope;

import dev.weft.internal.StructuredThreads;

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
     * Counting. unfinished = forks - exits. The fork count is not kept here: it is the number of slots claimed
     * in the task log (ScopeRecords.forkCount), which every fork, by the owner or by a task, claims before it
     * starts or requests its task. The EXITS count rises once per task: when its thread leaves the body (onTaskExit),
     * or when the owner settles it before starting it. A fork from a task is claimed before the forking task
     * can exit, so a reader that reads EXITS first and the claims second never counts the forking task as
     * exited without counting the task it forked: allExited() reads them in that order.
     *
     * Where the counts live. The owner's fork loop and the exiting task threads run on different cores, and a
     * fan-out moves through them at a few hundred nanoseconds a task, so a cache line that one side writes and
     * the other reads per task costs a transfer each way per task. So: the owner writes nothing in this object
     * per fork (the claim is in the task log), and the counts that exiting threads write (EXITS, and the cap's
     * PERMITS) are slots of `counts`, an int array with 64 bytes of unused slots on each side of them, so they
     * share no cache line with the fields the owner reads per fork, whatever the JVM's field layout. Exiting
     * threads read AWAITED_EXITS and OWNER_PARKED, which the owner writes only when it is about to wait, from
     * the same padded block.
     *
     * Owner waiting. The owner parks in awaitOwner(condition); anything that may make a condition true (a task
     * exit, a request, a stop) changes state with a volatile write or an atomic, then reads OWNER_PARKED and
     * unparks the owner if set. The owner sets OWNER_PARKED before re-checking its condition, so one of the two
     * sides always sees the other (Dekker, on volatiles), and no wake-up is lost. The waker that sees the flag
     * clears it by CAS and is the only one to unpark: under a cap, exits come faster than a parked platform
     * thread wakes up, and each further unpark would take the owner's park lock for nothing (the JDK's
     * semaphore likewise signals a parked waiter once). Later wakers need not unpark: the owner re-checks every
     * condition after it wakes, and sets the flag again before it parks again. Without a cap the owner's only
     * conditions are "nothing unfinished and nothing requested" (join) and "stopped", so a task exit wakes it
     * only when it was the last one the owner knows of: each time allExited() answers false it publishes the
     * fork count it read in AWAITED_EXITS and then re-reads EXITS, and the exit that brings EXITS to
     * AWAITED_EXITS wakes the owner (an exit it did not see was made after its publication, so that exit sees
     * it). A fork from a task during the wait is a request, which wakes the owner, which publishes again. A join
     * over n tasks parks and unparks the owner once, not n times (as the JDK's own join does). With a cap every
     * exit frees a slot the owner may be waiting for, so every exit wakes it.
     *
     * Who wakes the owner for the last exit. The awaited exit happens in a task thread that has not ended yet,
     * and the JDK's thread container unparks the owner once more when the last thread ends (see
     * StructuredThreads.OWNER_UNPARKED_WHEN_THREADS_END). Woken by the exit, the owner would often find that
     * thread still alive in the JDK's join and park a second time, or keep the container's late permit and
     * wake spuriously in its next wait: two sleeps per join where one does. For a platform owner, whose park
     * and unpark are system calls, of a scope without a cap, the awaited exit therefore leaves the wake-up to
     * the container (containerWakesOwner): such an owner publishes no AWAITED_EXITS, and its tasks' exits only
     * count. It parks in join with a timeout (CONTAINER_WAKE_FALLBACK_NANOS), so that a container that stopped
     * doing so would cost latency, not a hang. Every other wait parks untimed. A virtual owner's unpark is a task submission and its timed park a
     * timer, so the exit wakes it as before.
     *
     * Join's spin. Before its first park, a join whose owner is a platform thread spins for a budget learned per
     * scope path (JoinSpin), reading EXITS, the claims and the requests, and writing nothing; a spin that sees the
     * scope done or a request goes round the loop again, one that runs out parks as above. So the protocol
     * above is unchanged: the spin only delays the first publication of OWNER_PARKED.
     *
     * Cap. PERMITS counts free run slots (maxConcurrency at start, unused when there is no cap). A task takes
     * one before its thread is created and returns it when its body exits, so at most maxConcurrency threads
     * of the scope run tasks at any time. An owner that finds no free slot re-checks PERMIT_SPINS times, with a
     * spin-wait hint between checks, before it parks: with short tasks a slot frees every few hundred
     * nanoseconds, while a park and wake-up of a platform thread costs microseconds of both sides' CPU. (The
     * JDK's semaphore likewise retries a few times before it parks, and spins after a wake-up.)
     */

    static final int NO_CAP = 0;
    /** AWAITED_EXITS while the owner awaits nothing: no exit count reaches it. */
    private static final int NOT_AWAITING = Integer.MIN_VALUE;

    /*
     * The slots of `counts`. All accessed through COUNTS (volatile or atomic); slots 0-15 and 20-35 are
     * padding (see notes).
     */
    /** Tasks that have exited (see notes). Atomic adds by exiting threads and by the owner; read by anyone. */
    private static final int EXITS = 16;
    /** Free run slots under the cap. Atomic updates by the owner and exiting threads. */
    private static final int PERMITS = 17;
    /** The exit count that should wake the owner, or NOT_AWAITING. Written by the owner; read by exiting threads. */
    private static final int AWAITED_EXITS = 18;
    /** 1 while the owner may park, else 0. Written by the owner; read by wakers. */
    private static final int OWNER_PARKED = 19;
    private static final int COUNTS_LENGTH = 36;

    /** How many times the owner re-checks for a free run slot, briefly, before it parks for one (see notes). */
    private static final int PERMIT_SPINS = 64;
    /** How long a platform owner waits for the container's wake-up before re-checking by itself (see notes). */
    private static final long CONTAINER_WAKE_FALLBACK_NANOS = 100_000_000L;

    /** The thread that opened the scope. Immutable. */
    final Thread owner;
    /**
     * Whether the awaited exit leaves waking the owner to the thread container (see notes): a platform owner
     * without a cap. Immutable.
     */
    private final boolean containerWakesOwner;
    /** The cap on running tasks, or NO_CAP. Immutable. */
    final int maxConcurrency;
    /** The counts that task threads write, padded (see notes and the slot constants). */
    private final int[] counts = new int[COUNTS_LENGTH];
    /** Owner-confined: whether the owner's last wait for a slot took one. */
    private boolean ownerTookPermit;

    /** Counts for a scope opened by the calling thread, with at most {@code maxConcurrency} running tasks. */
    ScopeCounts(int maxConcurrency) {
        this.owner = Thread.currentThread();
        this.maxConcurrency = maxConcurrency;
        this.containerWakesOwner = StructuredThreads.OWNER_UNPARKED_WHEN_THREADS_END && !owner.isVirtual()
                && maxConcurrency == NO_CAP;
        counts[PERMITS] = maxConcurrency;
        counts[AWAITED_EXITS] = NOT_AWAITING;
    }

    /** Whether the scope has been stopped. */
    abstract boolean isStopped();

    /** Owner: starts the requested tasks that the cap allows; called whenever the owner is about to wait. */
    abstract void startRequested();

    // ---- counting ----

    /**
     * Counts a task as exited, returning its run slot if it held one: for a task that exits, and, by the owner,
     * for a task it settled before starting it.
     */
    final void countExit(boolean holdsPermit) {
        if (holdsPermit) {
            COUNTS.getAndAdd(counts, PERMITS, 1);
        }
        COUNTS.getAndAdd(counts, EXITS, 1);
    }

    /** The task's body has exited (or it was settled before starting); its thread is about to end. */
    final void onTaskExit() {
        if (maxConcurrency != NO_CAP) {
            countExit(true);
            wakeOwner(); // the freed slot may let the owner fork or start a requested task
        } else if (containerWakesOwner) {
            countExit(false); // the container wakes the owner once this thread ends (see notes)
        } else if ((int) COUNTS.getAndAdd(counts, EXITS, 1) + 1 == (int) COUNTS.getVolatile(counts, AWAITED_EXITS)) {
            wakeOwner(); // without a cap, an exit matters to the owner only when it is the awaited one (see notes)
        }
    }

    /**
     * Owner: whether every task forked so far has exited. When not, and an exit is what wakes the owner,
     * publishes the fork count it read as the exit count that must wake it (see notes).
     */
    final boolean allExited() {
        while (true) {
            int exits = (int) COUNTS.getVolatile(counts, EXITS); // first: see notes
            int forks = forkCount();
            if (exits == forks) {
                return true;
            }
            if (containerWakesOwner) {
                return false; // no exit wakes this owner, so none needs the count it waits for
            }
            COUNTS.setVolatile(counts, AWAITED_EXITS, forks);
            exits = (int) COUNTS.getVolatile(counts, EXITS);
            int forksNow = forkCount();
            if (exits == forksNow) {
                return true;
            }
            if (forksNow == forks) {
                return false; // an exit not seen by now sees the published count
            }
        }
    }

    // ---- the cap ----

    /** Takes a free run slot if there is one. */
    final boolean tryAcquirePermit() {
        int p;
        while ((p = (int) COUNTS.getVolatile(counts, PERMITS)) > 0) {
            if (COUNTS.compareAndSet(counts, PERMITS, p, p - 1)) {
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
        for (int spins = 0; spins < PERMIT_SPINS; spins++) {
            if (tryAcquirePermit()) {
                return true;
            }
            Thread.onSpinWait();
        }
        try {
            awaitOwner(this::permitTakenOrStopped, false);
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

    /**
     * Unparks the owner if it may be parked in awaitOwner; called after changing what it waits on. Only the
     * waker that clears OWNER_PARKED unparks (see notes).
     */
    final void wakeOwner() {
        if ((int) COUNTS.getVolatile(counts, OWNER_PARKED) != 0 && COUNTS.compareAndSet(counts, OWNER_PARKED, 1, 0)) {
            LockSupport.unpark(owner);
        }
    }

    /**
     * Owner: waits until {@code done} answers true, starting requested tasks meanwhile. {@code done} may have
     * a side effect when it answers true (taking a cap permit): every true answer ends the wait, so that effect
     * is never lost. {@code forLastExit}: the wait of join, which the last task's exit may end (see notes).
     */
    final void awaitOwner(BooleanSupplier done, boolean forLastExit) throws InterruptedException {
        // timed only where the container's wake-up is relied on, so that a lost wake-up anywhere else still
        // shows as a hang in the tests instead of as a delay
        boolean timed = forLastExit && containerWakesOwner;
        // a join spins once, before its first park (JoinSpin); after a wake-up it parks at once
        boolean spin = forLastExit && JoinSpin.ENABLED && !owner.isVirtual();
        while (true) {
            startRequested();
            if (done.getAsBoolean()) {
                return;
            }
            if (spin) {
                spin = false;
                if (spinForJoin()) {
                    continue; // re-checks done, and starts a requested task, as after a wake-up
                }
            }
            COUNTS.setVolatile(counts, OWNER_PARKED, 1);
            try {
                // re-check after publishing OWNER_PARKED, so a wake-up between the checks above and park is not lost
                if (hasRequests()) {
                    continue;
                }
                if (done.getAsBoolean()) {
                    return;
                }
                if (timed) {
                    LockSupport.parkNanos(this, CONTAINER_WAKE_FALLBACK_NANOS);
                } else {
                    LockSupport.park(this);
                }
            } finally {
                COUNTS.setVolatile(counts, OWNER_PARKED, 0);
            }
            if (Thread.interrupted()) {
                throw new InterruptedException("owner of scope " + path() + " interrupted");
            }
        }
    }

    /**
     * Owner of a join, on a platform thread: spins for the budget that JoinSpin keeps for this scope's path, until
     * every task has exited, a task forked or the scope stopped; true if one of them happened. Reads only, so
     * that exiting task threads find the counts' cache line as they left it.
     */
    private boolean spinForJoin() {
        int slot = JoinSpin.slotOf(path());
        long budget = JoinSpin.budgetNanos(slot);
        if (budget == 0) {
            return false;
        }
        long start = System.nanoTime();
        boolean ended = false;
        for (int i = 1; ; i++) {
            Thread.onSpinWait();
            if ((int) COUNTS.getVolatile(counts, EXITS) == forkCount() || hasRequests() || isStopped()) {
                ended = true;
                break;
            }
            if ((i & 7) == 0 && System.nanoTime() - start >= budget) {
                break;
            }
        }
        JoinSpin.learn(slot, budget, ended);
        return ended;
    }

    // VarHandle mechanics
    private static final VarHandle COUNTS = MethodHandles.arrayElementVarHandle(int[].class);
}
