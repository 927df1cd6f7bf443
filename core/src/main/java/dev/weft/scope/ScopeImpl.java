package dev.weft.scope;

import dev.weft.internal.StructuredThreads;
import dev.weft.internal.TaskThreadNames;
import dev.weft.progress.Progress;
import dev.weft.time.TimeSource;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;

/** The scope runtime. See {@link Scope} for the contract. */
final class ScopeImpl<T, R> extends ScopeCounts<T> implements Scope<T, R> {

    /*
     * Implementation notes.
     *
     * Threads. Only the owner starts threads (the JDK rule). A fork from a task of this scope (or of a scope
     * nested in it) creates the task QUEUED, counts it unfinished and puts it on `requested`; the owner starts
     * it the next time it waits, in fork (cap) or in join. So tasks may spawn tasks, under the same policy, cap
     * and deadline, and join cannot return while a spawner still runs: the spawned task counts as unfinished
     * before the spawner itself can exit.
     *
     * Counting, the owner's waits and the cap: see ScopeCounts.
     *
     * Stop. `stopReason` goes from null to a reason once, by CAS: the first of sibling failure, decided
     * outcome, deadline, explicit cancel, parent cancel or owner exit wins and is the reason everyone reads.
     * The winner stops child scopes (before interrupting, so that a task owning a child scope and woken in its join
     * finds it stopped for the inherited reason), interrupts running tasks and wakes the owner. Join then
     * settles the tasks still unfinished as CANCELLED (TIMED_OUT after a deadline) without waiting for them, and
     * close() waits for their threads.
     *
     * The terminal ScopeState is set once, by CAS from OPEN, at the end of join (or at close without join).
     */

    final String name;
    private final String path;
    private final ScopeImpl<?, ?> parent;
    private final Join<T, R> policy;
    final TimeSource time;
    final Deadline deadline;
    final Progress progress;
    private final StructuredThreads threads;
    private final ScopeImpl<?, ?> previousOwned;
    /**
     * The thread names of this scope's tasks (TaskThreadNames): looked up by the owner before it starts the first
     * task, so the tasks, which read it as they start (Thread.start orders the two), do not look the path up
     * again, several at once; elsewhere on first use, racy single-check.
     */
    private TaskThreadNames threadNames;

    /** CAS null -> reason once; read by everyone. */
    private volatile CancellationReason stopReason;
    /** ScopeState ordinal; CAS from OPEN once. */
    private volatile int state;
    /** Owner-confined lifecycle flags. */
    private boolean joined;
    private boolean closed;

    ScopeImpl(String name, Join<T, R> policy, TimeSource time, Duration ownDeadline, int maxConcurrency) {
        super(maxConcurrency);
        this.name = name;
        this.policy = policy;
        this.parent = ScopeTree.enclosing();
        this.path = parent == null ? name : parent.path + "/" + name;
        this.time = time != null ? time : parent != null ? parent.time : TimeSource.system();
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
        if (body == null) {
            throw new NullPointerException("task must not be null (scope " + path + ")");
        }
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
        } else if (!runsInside(TaskImpl.current())) {
            throw new WrongThreadException("thread " + Thread.currentThread().getName()
                    + " may not fork in scope " + path + ": only its owner (" + owner.getName()
                    + ") or a task running inside it may");
        } else if (state != ScopeState.OPEN.ordinal()) {
            throw new IllegalStateException("scope " + path + " has finished; a task may fork only while it runs");
        }
        var task = addTask(name, timeoutNanos, (Callable<? extends T>) body);
        policy.onFork(task);
        if (byOwner) {
            startOrWait(task);
        } else {
            request(task); // counted unfinished by addTask's claim, before the forking task can exit (see ScopeCounts)
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
            try {
                holdsPermit = awaitPermit();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stop(new CancellationReason(CancellationReason.Kind.OWNER_EXITED,
                        "owner of " + path + " was interrupted while waiting to fork " + task.path(), null));
            }
        }
        start(task, holdsPermit);
    }

    /**
     * Owner: creates the task's thread; with a stop, settles the task as cancelled instead, returning its permit
     * and counting it as exited since it will never run.
     */
    private void start(TaskImpl<T> task, boolean holdsPermit) {
        CancellationReason stop = stopReason;
        if (stop != null) {
            task.settleAsCancelled(stop);
            countExit(holdsPermit);
            return;
        }
        threadNames(); // looked up by the owner, before any task of the scope reads it (see the field)
        threads.start(task);
    }

    /** Owner: starts the requested tasks that the cap allows. */
    @Override
    void startRequested() {
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

    // ---- task callbacks (task threads, timers) ----

    CancellationReason stopReason() {
        return stopReason;
    }

    @Override
    boolean isStopped() {
        return stopReason != null;
    }

    void onTaskCompleted(TaskImpl<T> task) {
        if (policy.onComplete(task)) {
            stop(task.state() == TaskState.SUCCEEDED
                    ? CancellationReason.outcomeDecided(task.path())
                    : CancellationReason.siblingFailed(task.path(), task.exception()));
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
            awaitOwner(() -> (allExited() && !hasRequests()) || stopReason != null, true);
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
            dev.weft.internal.ScopeProgress.end(progress, state()); // folds the node into the parent's and releases it
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

    TaskThreadNames threadNames() {
        TaskThreadNames n = threadNames;
        if (n == null) {
            threadNames = n = TaskThreadNames.of(path);
        }
        return n;
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
        return Collections.unmodifiableList(taskList()); // a private copy already: no second copy
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
        for (TaskImpl<T> t : taskList()) {
            Thread th = t.thread();
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
    private static final VarHandle STATE;

    static {
        try {
            var lookup = MethodHandles.lookup();
            STOP_REASON = lookup.findVarHandle(ScopeImpl.class, "stopReason", CancellationReason.class);
            STATE = lookup.findVarHandle(ScopeImpl.class, "state", int.class);
            dev.weft.internal.ScopeInternals.install(s -> s instanceof ScopeImpl<?, ?> scope ? scope.liveThreads() : List.of());
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
