package dev.weft.scope;

import dev.weft.internal.Nanos;
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
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.StructureViolationException;
import java.util.function.BooleanSupplier;

/** The scope runtime. See {@link Scope} for the contract. */
final class ScopeImpl<T, R> implements Scope<T, R> {

    /*
     * Implementation notes.
     *
     * Parts. TaskLog keeps the tasks in fork order and the failures in completion order; RunControl counts the
     * unfinished tasks, queues tasks forked by tasks, hands out run slots and holds every wait; Deadline arms the
     * scope's timer; StructuredThreads is the JDK scope that contains the threads. This class is the lifecycle:
     * fork, stop, join, close.
     *
     * Threads. Only the owner starts threads (the JDK rule). A fork by a task queues the task in RunControl, where
     * it counts as unfinished before the forking task can exit, and the owner starts it the next time it waits in
     * fork, join or Task.join. A fork is counted only once it cannot fail any more short of its thread start, and
     * the count is undone if the start throws, so an exception in a fork never leaves join waiting for a task
     * that will not run.
     *
     * Stop. `stopReason` goes from null to a reason once, by CAS; the first of policy decision, deadline, explicit
     * cancel, parent stop or owner exit wins and is the reason everyone reads. The winner stops the child scopes
     * first (so a task that owns a child scope and is woken in its join finds it stopped for the inherited
     * reason), then RunControl (queued tasks come out and are settled as cancelled; later forks are refused),
     * then interrupts the running tasks, once each (TaskImpl). join returns as soon as the scope has stopped,
     * settling the unfinished tasks as cancelled (timed out after a deadline) without waiting for them; close
     * waits for their threads.
     *
     * The terminal ScopeState is set once, by CAS from OPEN, at the end of join or at close without join.
     *
     * Children. A child registers in its parent's `children` (made by CAS on first use) and then reads the
     * parent's stop reason; a stop CASes its reason and then reads `children`. Both write before they read, so a
     * child opening while its parent stops either is stopped by the parent or sees the reason and stops itself.
     *
     * Progress. A child scope's node is made at open, as a child of its parent's node (so the parent's roll-up
     * counts it from then on). A root scope's node is made on first use of progress() (CAS null -> node once),
     * most request scopes never ask for one; its rates start then, when nothing can have been reported yet.
     * close() sets `closed`, then ends the node if there is one; progress() publishes a new node, then ends it if
     * `closed` is set: both write before they read, so a node made while the scope closes is ended by one of
     * them (ending twice is harmless: the first end wins, with the same terminal state).
     */

    private static final int OPEN = 0;

    final String name;
    private final String path;
    private final ScopeImpl<?, ?> parent;
    private final Join<T, R> policy;
    final TimeSource time;
    final Deadline deadline;
    /** The progress node: made at open for a child scope, on first use for a root (see notes). */
    private volatile Progress progress;
    final Thread owner;
    private final TaskLog<T> log = new TaskLog<>();
    private final RunControl<T> runs;
    private final StructuredThreads threads;
    /** The innermost scope the owner had open when this one opened (ScopeTree). Immutable. */
    private final ScopeImpl<?, ?> outerOwned;
    /** The open child scopes; null until the first child opens (CAS once), most scopes never have one. */
    private volatile Set<ScopeImpl<?, ?>> children;
    /** The last automatic task number handed out (task-N); getAndAdd by any forking thread. */
    private volatile int autoNames;

    /** CAS null -> reason once; read by everyone. */
    private volatile CancellationReason stopReason;
    /** What the policy's onComplete threw, first one only; read by join. */
    private volatile Throwable policyFailure;
    /** ScopeState ordinal; CAS from OPEN once. */
    private volatile int state;
    /** Set once close() has waited for every thread; read by anyone. */
    private volatile boolean closed;
    /** Owner-confined: join has been called. */
    private boolean joined;

    ScopeImpl(String name, Join<T, R> policy, TimeSource time, Duration ownDeadline, int maxConcurrency) {
        this.owner = Thread.currentThread();
        this.name = name;
        this.policy = policy;
        ScopeTree.Enclosing at = ScopeTree.enclosing();
        this.parent = at.parent();
        this.path = at.openedBy() != null ? at.openedBy().path() + "/" + name
                : parent != null ? parent.path + "/" + name : name;
        this.time = time != null ? time : parent != null ? parent.time : TimeSource.system();
        this.deadline = Deadline.of(this.time, path, ownDeadline, parent == null ? null : parent.deadline);
        this.runs = new RunControl<>(maxConcurrency);
        this.threads = new StructuredThreads(path); // first: it may throw, and nothing is registered yet
        if (parent != null) {
            this.progress = parent.progress().newChild(name);
        }
        this.outerOwned = ScopeTree.enter(this);
        if (parent != null) {
            parent.childSet().add(this);
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
    public <U extends T> Task<U> fork(String name, TaskBody<T, ? extends U> body) {
        Objects.requireNonNull(body, "task must not be null (scope " + path + ")");
        return fork(name, null, () -> body.call(this));
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
            timeoutNanos = Nanos.of(timeout);
        }
        if (name != null && (name.isBlank() || name.indexOf('/') >= 0)) {
            throw new IllegalArgumentException("task name must be non-blank and contain no '/', was \"" + name
                    + "\" (scope " + path + ")");
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
        } else if (state != OPEN && stopReason == null) {
            throw new IllegalStateException("scope " + path + " has finished; a task may fork only while it runs");
        }
        int autoNumber = name != null ? 0 : (int) AUTO_NAMES.getAndAdd(this, 1) + 1;
        var task = new TaskImpl<T>(this, name, autoNumber, timeoutNanos, (Callable<? extends T>) body);
        policy.onFork(task); // before anything is counted: if it throws, nothing is left to undo
        CancellationReason stop = stopReason;
        if (stop != null) {
            task.settleAsCancelled(stop); // a fork into a stopped scope: returned cancelled, not recorded
            return (Task<U>) task;
        }
        if (byOwner) {
            forkByOwner(task);
        } else if (!runs.request(task, () -> log.add(task))) {
            task.settleAsCancelled(stopReason);
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

    /** Owner: waits for a run slot under a cap (starting requested tasks meanwhile), then starts the task. */
    private void forkByOwner(TaskImpl<T> task) {
        log.add(task); // QUEUED in tasks() while the owner waits for its slot
        boolean permit = false;
        if (runs.cap != 0) {
            try {
                permit = awaitPermit();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // kept, whether it is the owner's own or a cancellation's
                if (!stoppedWithAncestors()) {
                    stop(new CancellationReason(CancellationReason.Kind.OWNER_EXITED,
                            "owner of " + path + " was interrupted while waiting to fork " + task.path(), null));
                }
            }
            if (!permit) {
                task.settleAsCancelled(stopReason);
                return;
            }
        }
        runs.countStarting();
        start(task, permit, true);
    }

    /** Owner: takes a run slot, waiting as long as needed; false if the scope stopped first. */
    private boolean awaitPermit() throws InterruptedException {
        while (true) {
            startRequested();
            if (stopReason != null) {
                return false;
            }
            if (runs.tryAcquire()) {
                return true;
            }
            runs.awaitOwner(() -> stopReason != null || runs.hasFreeSlot(), false);
        }
    }

    /**
     * Owner: starts a counted, logged task. If the JDK refuses the thread, the task is undone (not counted, not
     * in the log) and the refusal is thrown, when {@code rethrow}; otherwise it is settled as failed.
     */
    private void start(TaskImpl<T> task, boolean permit, boolean rethrow) {
        boolean started;
        try {
            Thread t = threads.start(task);
            // a thread that is not alive and never began the task was refused (isAlive orders its end before this)
            started = t != null && (t.isAlive() || task.hasStarted());
        } catch (RuntimeException | Error e) {
            undoStart(task, permit, rethrow, e);
            throw e;
        }
        if (!started) {
            var e = new IllegalStateException("scope " + path + " can no longer start threads: the JDK scope under"
                    + " it was closed, because a ScopedValue binding that the scope was opened in has ended; open"
                    + " and close a scope within the same bindings");
            undoStart(task, permit, rethrow, e);
            throw e;
        }
    }

    private void undoStart(TaskImpl<T> task, boolean permit, boolean rethrow, Throwable cause) {
        if (rethrow) {
            log.remove(task);
        } else {
            task.settleFailedToStart(cause);
        }
        runs.countExit(permit);
    }

    /** Owner: starts the requested tasks that the cap allows. */
    private void startRequested() {
        TaskImpl<T> task;
        while ((task = runs.pollStartable()) != null) {
            CancellationReason stop = stopReason;
            if (stop != null) {
                task.settleAsCancelled(stop);
                runs.countExit(runs.cap != 0);
                continue;
            }
            try {
                start(task, runs.cap != 0, false);
            } catch (RuntimeException | Error e) {
                onTaskCompleted(task); // settled as failed by the undo: the policy hears of it like any failure
            }
        }
    }

    // ---- task callbacks ----

    CancellationReason stopReason() {
        return stopReason;
    }

    /** A task's thread is done with the task (body returned, or it never ran); its slot is free. */
    void onTaskExit() {
        runs.countExit(runs.cap != 0);
    }

    /** Settles a failure and records it in completion order, atomically with respect to join's snapshot. */
    boolean settleFailure(TaskImpl<T> task, BooleanSupplier settle) {
        return log.recordFailure(task, settle);
    }

    void onTaskCompleted(TaskImpl<T> task) {
        boolean stopNow;
        try {
            stopNow = policy.onComplete(task);
        } catch (RuntimeException | Error e) {
            if (POLICY_FAILURE.compareAndSet(this, null, e)) {
                stop(new CancellationReason(CancellationReason.Kind.POLICY_FAILED, "join policy "
                        + policy.getClass().getName() + " threw in onComplete for task " + task.path() + ": " + e, e));
            }
            return;
        }
        if (stopNow) {
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
        Set<ScopeImpl<?, ?>> open = children; // read after the CAS above (see notes, "Children")
        if (open != null) {
            for (ScopeImpl<?, ?> child : open) {
                child.stop(child.childReason(reason));
            }
        }
        for (TaskImpl<T> queued : runs.stop()) {
            queued.settleAsCancelled(reason);
            runs.countExit(false);
        }
        for (TaskImpl<T> task : log.tasks()) {
            task.interruptForCancel();
        }
        return true;
    }

    /** The reason this scope stops for when its parent stopped for {@code parentReason}. */
    private CancellationReason childReason(CancellationReason parentReason) {
        return parentReason.kind() == CancellationReason.Kind.DEADLINE
                ? deadline.expiredReason(parentReason)
                : CancellationReason.parentCancelled(parent.path, parentReason);
    }

    /**
     * Whether this scope has stopped, taking on an ancestor's stop that has not reached it yet: an owner that is
     * a task of the parent can be interrupted by the parent's stop before the cascade reaches this scope.
     */
    private boolean stoppedWithAncestors() {
        if (stopReason != null) {
            return true;
        }
        if (parent == null || !parent.stoppedWithAncestors()) {
            return false;
        }
        stop(childReason(parent.stopReason));
        return true;
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
        if (policy instanceof Joins.Quorum<?> quorum && quorum.unreachableAtJoin()) {
            stop(quorum.unreachableReason());
        }
        try {
            awaitOwner(() -> stopReason != null || runs.quiescent(), false);
        } catch (InterruptedException e) {
            if (!stoppedWithAncestors()) {
                stop(new CancellationReason(CancellationReason.Kind.OWNER_EXITED,
                        "owner of " + path + " was interrupted in join", null));
                settleUnfinished();
                finish(ScopeState.CANCELLED);
                throw e;
            }
            Thread.currentThread().interrupt(); // interrupted by the cancellation: report that, keep the status
        }
        settleUnfinished();
        CancellationReason stop = stopReason;
        Throwable policyError = policyFailure;
        if (policyError != null) {
            finish(ScopeState.FAILED);
            throw new ScopeFailedException(path, null, "scope " + path + " failed: " + stop.detail(), policyError);
        }
        if (stop != null && isExternal(stop.kind())) {
            finish(ScopeState.CANCELLED);
            throw new ScopeCancelledException(path, stop);
        }
        try {
            R result = policy.result(log.joined(this));
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
            case EXPLICIT, PARENT_CANCELLED, SHUTDOWN, OWNER_EXITED, LEASE_LOST -> true;
            case DEADLINE, TASK_TIMEOUT, SIBLING_FAILED, OUTCOME_DECIDED, POLICY_FAILED -> false;
        };
    }

    /**
     * Owner: waits until {@code done}, starting requested tasks meanwhile. {@code forOneTask}: the wait of
     * Task.join, which every task exit may end.
     */
    private void awaitOwner(BooleanSupplier done, boolean forOneTask) throws InterruptedException {
        while (true) {
            startRequested();
            if (done.getAsBoolean()) {
                return;
            }
            runs.awaitOwner(done, forOneTask);
        }
    }

    /** Owner, after a stop: settles every task not yet ended as cancelled (timed out after a deadline). */
    private void settleUnfinished() {
        CancellationReason stop = stopReason;
        if (stop == null) {
            return;
        }
        for (TaskImpl<T> task : log.tasks()) {
            task.settleAsCancelled(stop);
        }
    }

    private void finish(ScopeState terminal) {
        STATE.compareAndSet(this, OPEN, terminal.ordinal());
    }

    /** Waits for {@code task} to end, or for this scope to stop. Any thread; see {@link Task#join()}. */
    void awaitTask(TaskImpl<T> task) throws InterruptedException {
        if (task.isEnded()) {
            return;
        }
        if (Thread.currentThread() == owner) {
            awaitOwner(() -> task.isEnded() || stopReason != null, true);
            return;
        }
        TaskImpl<?> caller = TaskImpl.current();
        boolean holdsSlot = runs.cap != 0 && caller != null && caller.scope == this
                && caller.thread() == Thread.currentThread();
        if (holdsSlot) {
            runs.release(); // a task waiting for another gives up its run slot meanwhile, so the other can run
        }
        try {
            runs.await(() -> task.isEnded() || stopReason != null, true);
        } finally {
            if (holdsSlot) {
                // after a stop no slot is handed out again, so one that runs on without a slot (reacquire answers
                // false) cannot take the running count over the cap; its exit returns a slot nobody will use
                runs.reacquire(() -> stopReason != null);
            }
        }
    }

    @Override
    public void close() {
        checkOwner("close");
        if (closed) {
            return;
        }
        RuntimeException inner = null;
        for (ScopeImpl<?, ?> above : ScopeTree.openedAfter(this)) {
            try {
                above.close(); // opened after this one by the same thread and left open: they close first
            } catch (RuntimeException e) {
                inner = e;
            }
        }
        if (!joined) {
            stop(new CancellationReason(CancellationReason.Kind.OWNER_EXITED,
                    "scope " + path + " was closed before join", null));
            settleUnfinished();
            finish(ScopeState.CANCELLED);
        }
        deadline.disarm();
        runs.awaitAllExitedUninterruptibly();
        RuntimeException violation = null;
        try {
            threads.close();
        } catch (StructureViolationException e) {
            violation = e;
        } finally {
            closed = true;
            Progress node = progress;
            if (node != null) {
                dev.weft.internal.ScopeProgress.end(node, state()); // folds the node into the parent's and releases it
            }
            ScopeTree.exit(this);
            if (parent != null) {
                parent.childSet().remove(this);
            }
        }
        if (violation != null) {
            throw violation;
        }
        if (inner != null) {
            throw inner;
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

    ScopeImpl<?, ?> outerOwned() {
        return outerOwned;
    }

    /** Whether a scope opened now by the owner's thread may nest in this one: not closed, and its join not ended. */
    boolean acceptsChildren() {
        return !closed && state == OPEN;
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
        return STATES[state];
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
        Set<ScopeImpl<?, ?>> open = children;
        return open == null ? List.of() : List.copyOf(open);
    }

    /** The set of open children, made on first use. */
    private Set<ScopeImpl<?, ?>> childSet() {
        Set<ScopeImpl<?, ?>> open = children;
        if (open == null) {
            Set<ScopeImpl<?, ?>> made = ConcurrentHashMap.newKeySet();
            open = CHILDREN.compareAndSet(this, null, made) ? made : children;
        }
        return open;
    }

    @Override
    public List<Task<T>> tasks() {
        return List.copyOf(log.tasks());
    }

    @Override
    public Progress progress() {
        Progress node = progress;
        if (node == null) {
            Progress made = Progress.root(name, time);
            node = PROGRESS.compareAndSet(this, null, made) ? made : progress;
            if (closed) {
                dev.weft.internal.ScopeProgress.end(node, state()); // asked for after close: ends as the scope did
            }
        }
        return node;
    }

    @Override
    public int maxConcurrency() {
        return runs.cap;
    }

    @Override
    public String toString() {
        return "Scope[" + path + ", " + state() + "]";
    }

    /** {@code d} in nanoseconds, clamped so that adding it to a clock reading never wraps (see Nanos). */
    static long saturatedNanos(Duration d) {
        return Nanos.of(d);
    }

    /** Whether the scope stopped because its deadline (own or inherited) passed. */
    boolean deadlineExpired() {
        CancellationReason stop = stopReason;
        return stop != null && stop.kind() == CancellationReason.Kind.DEADLINE;
    }

    /** The threads running tasks of this scope and of its descendants, right now. */
    List<Thread> liveThreads() {
        List<Thread> live = new ArrayList<>();
        for (TaskImpl<T> t : log.tasks()) {
            Thread th = t.thread();
            if (th != null) {
                live.add(th);
            }
        }
        Set<ScopeImpl<?, ?>> open = children;
        if (open != null) {
            for (ScopeImpl<?, ?> child : open) {
                live.addAll(child.liveThreads());
            }
        }
        return live;
    }

    // VarHandle mechanics
    private static final VarHandle STOP_REASON;
    private static final VarHandle POLICY_FAILURE;
    private static final VarHandle STATE;
    private static final VarHandle CHILDREN;
    private static final VarHandle PROGRESS;
    private static final VarHandle AUTO_NAMES;
    private static final ScopeState[] STATES = ScopeState.values();

    static {
        try {
            var lookup = MethodHandles.lookup();
            STOP_REASON = lookup.findVarHandle(ScopeImpl.class, "stopReason", CancellationReason.class);
            POLICY_FAILURE = lookup.findVarHandle(ScopeImpl.class, "policyFailure", Throwable.class);
            STATE = lookup.findVarHandle(ScopeImpl.class, "state", int.class);
            CHILDREN = lookup.findVarHandle(ScopeImpl.class, "children", Set.class);
            PROGRESS = lookup.findVarHandle(ScopeImpl.class, "progress", Progress.class);
            AUTO_NAMES = lookup.findVarHandle(ScopeImpl.class, "autoNames", int.class);
            dev.weft.internal.ScopeInternals.install(s -> s instanceof ScopeImpl<?, ?> scope ? scope.liveThreads() : List.of());
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
