package dev.weft.scope;

import dev.weft.internal.StructuredThreads;
import dev.weft.progress.Progress;
import dev.weft.time.TimeSource;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** The scope runtime. See {@link Scope} for the contract. */
final class ScopeImpl<T, R> extends ScopeRecords<T> implements Scope<T, R> {

    /*
     * Implementation notes.
     *
     * Threads. Only the owner starts threads (the JDK rule). A fork from a task of this scope (or of a scope
     * nested in it) creates the task QUEUED, counts it unfinished and puts it on `requested`; the owner starts
     * it the next time it waits, in fork (cap) or in join. So tasks may spawn tasks, under the same policy, cap
     * and deadline, and join cannot return while a spawner still runs: the spawned task counts as unfinished
     * before the spawner itself can exit.
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
     * Stop. `stopReason` goes from null to a reason once, by CAS: the first of sibling failure, decided
     * outcome, deadline, explicit cancel, parent cancel or owner exit wins and is the reason everyone reads.
     * The winner stops child scopes (before interrupting, so that a task owning a child scope and woken in its join
     * finds it stopped for the inherited reason), interrupts running tasks and wakes the owner. Join then
     * settles the tasks still unfinished as CANCELLED (TIMED_OUT after a deadline) without waiting for them, and
     * close() waits for their threads.
     *
     * Cap. `permits` counts free run slots (maxConcurrency at start, unused when there is no cap). A task takes
     * one before its thread is created and returns it when its body exits, so at most maxConcurrency threads
     * of the scope run tasks at any time.
     *
     * The terminal ScopeState is set once, by CAS from OPEN, at the end of join (or at close without join).
     */

    private static final int NO_CAP = 0;

    final String name;
    private final String path;
    private final ScopeImpl<?, ?> parent;
    private final Join<T, R> policy;
    final TimeSource time;
    private final Thread owner;
    private final int maxConcurrency;
    final Deadline deadline;
    final Progress progress;
    private final StructuredThreads threads;
    private final ScopeImpl<?, ?> previousOwned;


    /** CAS null -> reason once; read by everyone. */
    private volatile CancellationReason stopReason;
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
    /** ScopeState ordinal; CAS from OPEN once. */
    private volatile int state;
    /** Owner-confined lifecycle flags. */
    private boolean joined;
    private boolean closed;
    private boolean ownerTookPermit;

    ScopeImpl(String name, Join<T, R> policy, TimeSource time, Duration ownDeadline, int maxConcurrency) {
        this.name = name;
        this.policy = policy;
        this.owner = Thread.currentThread();
        this.parent = ScopeTree.enclosing();
        this.path = parent == null ? name : parent.path + "/" + name;
        this.time = time != null ? time : parent != null ? parent.time : TimeSource.system();
        this.maxConcurrency = maxConcurrency;
        this.permits = maxConcurrency;
        this.deadline = Deadline.of(this.time, path, ownDeadline, parent == null ? null : parent.deadline);
        this.progress = parent == null ? Progress.root(name, this.time) : parent.progress.newChild(name);
        this.threads = new StructuredThreads(path, () -> stopReason != null);
        this.previousOwned = ScopeTree.enter(this);
        if (parent != null) {
            parent.addChild(this);
            CancellationReason parentStop = parent.stopReason;
            if (parentStop != null) {
                stop(childReason(parentStop));
            }
        }
        deadline.arm(this);
    }

    // ---- forking ----

    @Override
    public <U extends T> Task<U> fork(Callable<? extends U> task) {
        return fork(null, null, task);
    }

    @Override
    public <U extends T> Task<U> fork(String name, Callable<? extends U> task) {
        Objects.requireNonNull(name, "task name must not be null; use fork(task) for an automatic name");
        return fork(name, null, task);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <U extends T> Task<U> fork(String name, Duration timeout, Callable<? extends U> body) {
        Objects.requireNonNull(body, () -> "task must not be null (scope " + path + ")");
        long timeoutNanos = 0;
        if (timeout != null) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("task timeout must be positive, was " + timeout
                        + " (scope " + path + ")");
            }
            timeoutNanos = saturatedNanos(timeout);
        }
        boolean byOwner = Thread.currentThread() == owner;
        if (byOwner) {
            if (closed) {
                throw new IllegalStateException("scope " + path + " is closed; fork is allowed between open and join");
            }
            if (joined) {
                throw new IllegalStateException("scope " + path
                        + " has been joined; the owner may fork only before join (its tasks may fork until join returns)");
            }
        } else if (!runsInside(TaskImpl.CURRENT.isBound() ? TaskImpl.CURRENT.get() : null)) {
            throw new WrongThreadException("thread " + Thread.currentThread().getName()
                    + " may not fork in scope " + path + ": only its owner (" + owner.getName()
                    + ") or a task running inside it may");
        } else if (state != ScopeState.OPEN.ordinal()) {
            throw new IllegalStateException("scope " + path + " has finished; a task may fork only while it runs");
        }
        var task = addTask(name, timeoutNanos, (Callable<? extends T>) body);
        policy.onFork(task);
        if (byOwner) {
            OWNER_FORKS.setRelease(this, ownerForks + 1);
            startOrWait(task);
        } else {
            EXIT_BALANCE.getAndAdd(this, -1); // unfinished before the forking task can exit (see notes)
            request(task);
            wakeOwner();
        }
        return (Task<U>) task;
    }

    private boolean runsInside(TaskImpl<?> current) {
        for (ScopeImpl<?, ?> s = current == null ? null : current.scope; s != null; s = s.parent) {
            if (s == this) {
                return true;
            }
        }
        return false;
    }

    /** Owner: starts the task now, or waits for a free slot under the cap (starting requested tasks meanwhile). */
    private void startOrWait(TaskImpl<T> task) {
        boolean holdsPermit = false;
        if (maxConcurrency != NO_CAP) {
            holdsPermit = tryAcquirePermit();
            if (!holdsPermit) {
                try {
                    awaitOwner(this::permitTakenOrStopped);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    stop(new CancellationReason(CancellationReason.Kind.OWNER_EXITED,
                            "owner of " + path + " was interrupted while waiting to fork " + task.path(), null));
                }
                holdsPermit = ownerTookPermit;
                ownerTookPermit = false;
            }
        }
        start(task, holdsPermit);
    }

    /** Owner's wait condition in a capped fork; records in ownerTookPermit whether it took a permit. */
    private boolean permitTakenOrStopped() {
        if (stopReason != null) {
            return true;
        }
        return ownerTookPermit = tryAcquirePermit();
    }

    /**
     * Owner: creates the task's thread; with a stop, settles the task as cancelled instead, returning its permit
     * and counting it as exited since it will never run.
     */
    private void start(TaskImpl<T> task, boolean holdsPermit) {
        CancellationReason stop = stopReason;
        if (stop != null) {
            task.settleAsCancelled(stop);
            if (holdsPermit) {
                PERMITS.getAndAdd(this, 1);
            }
            EXIT_BALANCE.getAndAdd(this, 1);
            return;
        }
        threads.start(task);
    }

    /** Owner: starts the requested tasks that the cap allows. */
    private void startRequested() {
        TaskImpl<T> task;
        while ((task = peekRequest()) != null) {
            boolean holdsPermit = false;
            if (stopReason == null && maxConcurrency != NO_CAP) {
                if (!tryAcquirePermit()) {
                    return;
                }
                holdsPermit = true;
            }
            pollRequest();
            start(task, holdsPermit);
        }
    }

    private boolean tryAcquirePermit() {
        int p;
        while ((p = permits) > 0) {
            if (PERMITS.compareAndSet(this, p, p - 1)) {
                return true;
            }
        }
        return false;
    }

    // ---- task callbacks (task threads, timers) ----

    CancellationReason stopReason() {
        return stopReason;
    }

    void onTaskCompleted(TaskImpl<T> task) {
        if (policy.onComplete(task)) {
            stop(task.state() == TaskState.SUCCEEDED
                    ? CancellationReason.outcomeDecided(task.path())
                    : CancellationReason.siblingFailed(task.path(), task.exception()));
        }
    }

    /** The task's body has exited (or it was settled before starting); its thread is about to end. */
    void onTaskExit() {
        if (maxConcurrency != NO_CAP) {
            PERMITS.getAndAdd(this, 1);
            EXIT_BALANCE.getAndAdd(this, 1);
            wakeOwner(); // the freed slot may let the owner fork or start a requested task
        } else if ((int) EXIT_BALANCE.getAndAdd(this, 1) + 1 == (int) OWNER_FORKS.getAcquire(this)) {
            wakeOwner(); // without a cap, an exit matters to the owner only when it was the last one (see notes)
        }
    }

    // ---- stopping ----

    /** Stops the scope for {@code reason} if it is not stopped yet; true if this call stopped it. */
    boolean stop(CancellationReason reason) {
        if (!STOP_REASON.compareAndSet(this, null, reason)) {
            return false;
        }
        if (reason.kind() != CancellationReason.Kind.DEADLINE) {
            deadline.disarm();
        }
        List<TaskImpl<T>> snapshot = taskList();
        // children first: a task that owns a child scope and wakes from the interrupt in that scope's join must
        // find it already stopped for the real reason, not record "owner interrupted" (OWNER_EXITED) instead
        for (ScopeImpl<?, ?> child : childList()) {
            child.stop(child.childReason(reason));
        }
        for (TaskImpl<T> task : snapshot) {
            task.interrupt();
        }
        wakeOwner();
        return true;
    }

    /** The reason this scope stops for when its parent stopped for {@code parentReason}. */
    private CancellationReason childReason(CancellationReason parentReason) {
        return parentReason.kind() == CancellationReason.Kind.DEADLINE
                ? deadline.expiredReason(parentReason)
                : CancellationReason.parentCancelled(parent.path, parentReason);
    }

    // ---- owner waiting ----

    private void wakeOwner() {
        if (ownerParked) {
            LockSupport.unpark(owner);
        }
    }

    /**
     * Owner: waits until {@code done} answers true, starting requested tasks meanwhile. {@code done} may have
     * a side effect when it answers true (taking a cap permit): every true answer ends the wait, so that effect
     * is never lost.
     */
    private void awaitOwner(BooleanSupplier done) throws InterruptedException {
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
                throw new InterruptedException("owner of scope " + path + " interrupted");
            }
        }
    }

    // ---- join and close ----

    @Override
    public R join() throws InterruptedException {
        checkOwner("join");
        if (closed) {
            throw new IllegalStateException("scope " + path + " is closed; join is allowed once, before close");
        }
        if (joined) {
            throw new IllegalStateException("scope " + path + " has already been joined; join is allowed once");
        }
        joined = true;
        try {
            awaitOwner(() -> (exitBalance == ownerForks && !hasRequests()) || stopReason != null);
        } catch (InterruptedException e) {
            stop(new CancellationReason(CancellationReason.Kind.OWNER_EXITED,
                    "owner of " + path + " was interrupted in join", null));
            settle();
            finish(ScopeState.CANCELLED);
            throw e;
        }
        settle();
        CancellationReason stop = stopReason;
        if (stop != null && isExternal(stop.kind())) {
            finish(ScopeState.CANCELLED);
            throw new ScopeCancelledException(path, stop);
        }
        try {
            R result = policy.result(new JoinedTasks<>(this));
            finish(deadlineExpired() ? ScopeState.TIMED_OUT : ScopeState.SUCCEEDED);
            return result;
        } catch (ScopeTimeoutException e) {
            finish(ScopeState.TIMED_OUT);
            throw e;
        } catch (ScopeCancelledException e) {
            finish(ScopeState.CANCELLED);
            throw e;
        } catch (RuntimeException | Error e) {
            finish(ScopeState.FAILED);
            throw e;
        }
    }

    private static boolean isExternal(CancellationReason.Kind kind) {
        return switch (kind) {
            case EXPLICIT, PARENT_CANCELLED, SHUTDOWN, OWNER_EXITED -> true;
            case DEADLINE, TASK_TIMEOUT, SIBLING_FAILED, OUTCOME_DECIDED -> false;
        };
    }

    /** Owner: waits for the JDK scope, then settles every unfinished task with the stop reason. */
    private void settle() {
        CancellationReason stop = stopReason;
        threads.awaitThreads(stop != null);
        if (stop == null) {
            return;
        }
        TaskImpl<T> queued;
        while ((queued = pollRequest()) != null) {
            queued.settleAsCancelled(stop);
        }
        for (TaskImpl<T> task : taskList()) {
            task.settleAsCancelled(stop);
        }
    }

    private void finish(ScopeState terminal) {
        STATE.compareAndSet(this, ScopeState.OPEN.ordinal(), terminal.ordinal());
    }

    @Override
    public void close() {
        checkOwner("close");
        if (closed) {
            return;
        }
        try {
            if (!joined) {
                boolean forked = hasTasks();
                if (forked) {
                    stop(new CancellationReason(CancellationReason.Kind.OWNER_EXITED,
                            "scope " + path + " was closed before join", null));
                }
                settle();
                finish(forked ? ScopeState.CANCELLED : ScopeState.SUCCEEDED);
            }
            deadline.disarm();
            threads.close();
        } finally {
            closed = true;
            progress.complete();
            ScopeTree.exit(this, previousOwned);
            if (parent != null) {
                parent.removeChild(this);
            }
        }
    }

    private void checkOwner(String what) {
        if (Thread.currentThread() != owner) {
            throw new WrongThreadException(what + " called by thread " + Thread.currentThread().getName()
                    + "; only the owner of scope " + path + " (" + owner.getName() + ") may " + what);
        }
    }

    // ---- queries ----

    @Override
    public String name() {
        return name;
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public void cancel(CancellationReason reason) {
        stop(Objects.requireNonNull(reason, "reason"));
    }

    @Override
    public Optional<CancellationReason> cancellationReason() {
        return Optional.ofNullable(stopReason);
    }

    @Override
    public ScopeState state() {
        return ScopeState.values()[state];
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public Optional<Duration> remaining() {
        return deadline.remaining();
    }

    @Override
    public Optional<Scope<?, ?>> parent() {
        return Optional.ofNullable(parent);
    }

    @Override
    public List<Scope<?, ?>> children() {
        return List.copyOf(childList()); // already an immutable copy: returned as it is
    }

    @Override
    public List<Task<T>> tasks() {
        return List.copyOf(taskList());
    }

    @Override
    public Progress progress() {
        return progress;
    }

    @Override
    public int maxConcurrency() {
        return maxConcurrency;
    }

    @Override
    public String toString() {
        return "Scope[" + path + ", " + state() + "]";
    }

    /** Whether the scope stopped because its deadline (own or inherited) passed. */
    boolean deadlineExpired() {
        CancellationReason stop = stopReason;
        return stop != null && stop.kind() == CancellationReason.Kind.DEADLINE;
    }

    /** {@code d} in nanoseconds, clamped so that adding it to a clock reading never wraps (see Nanos). */
    static long saturatedNanos(Duration d) {
        return dev.weft.internal.Nanos.of(d);
    }

    /** The threads running tasks of this scope and of its descendants, right now. */
    List<Thread> liveThreads() {
        List<Thread> live = new ArrayList<>();
        for (Task<T> t : tasks()) {
            Thread th = ((TaskImpl<T>) t).thread();
            if (th != null) {
                live.add(th);
            }
        }
        for (ScopeImpl<?, ?> child : childList()) {
            live.addAll(child.liveThreads());
        }
        return live;
    }

    // VarHandle mechanics
    private static final VarHandle STOP_REASON;
    private static final VarHandle OWNER_FORKS;
    private static final VarHandle EXIT_BALANCE;
    private static final VarHandle PERMITS;
    private static final VarHandle STATE;

    static {
        try {
            var lookup = MethodHandles.lookup();
            STOP_REASON = lookup.findVarHandle(ScopeImpl.class, "stopReason", CancellationReason.class);
            OWNER_FORKS = lookup.findVarHandle(ScopeImpl.class, "ownerForks", int.class);
            EXIT_BALANCE = lookup.findVarHandle(ScopeImpl.class, "exitBalance", int.class);
            PERMITS = lookup.findVarHandle(ScopeImpl.class, "permits", int.class);
            STATE = lookup.findVarHandle(ScopeImpl.class, "state", int.class);
            dev.weft.internal.ScopeInternals.install(s -> s instanceof ScopeImpl<?, ?> scope ? scope.liveThreads() : List.of());
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
