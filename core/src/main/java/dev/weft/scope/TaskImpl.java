package dev.weft.scope;

import dev.weft.time.TimeSource;
import org.slf4j.MDC;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;

/** A forked task and the life of its thread. See {@link Task} for the contract. */
final class TaskImpl<T> implements Task<T>, Callable<Object> {

    /*
     * Implementation notes.
     *
     * Outcome. `ended` goes from null to an Ended once, by CAS. Two threads compete for it: the task's own thread
     * when its body returns, and the owner settling an unfinished task as cancelled after its scope stopped. The
     * Ended object carries the whole outcome, so a reader that sees it sees the outcome whole. A failure is added
     * to the scope's failure list by the thread that won the CAS, under that list's lock, and join reads the list
     * under the same lock after every task is settled, so the list never misses a FAILED task that join reports.
     *
     * Running. The task's thread publishes itself in `thread` (volatile), then reads its scope's stop reason; a
     * stop writes its reason, then reads `thread` of every logged task to interrupt it. So a task starting while
     * its scope stops is interrupted, or sees the stop and never runs its body (TaskRacingCancelNeverRunsUninterrupted).
     * `thread` is cleared (release store) when the body returns, so a later stop interrupts nothing of the task's.
     *
     * One interrupt. Weft is the only one to interrupt a task's thread for a cancellation: the JDK scope under it is
     * never cancelled (StructuredThreads). `shield` makes that interrupt deferrable: NORMAL, SHIELDED (running
     * shielded cleanup), DEFERRED (a cancellation came during the cleanup) or INTERRUPTING (a canceller is
     * delivering the interrupt right now). A canceller CASes NORMAL -> INTERRUPTING, interrupts, and sets NORMAL
     * again; or CASes SHIELDED -> DEFERRED. The task thread enters a shield by CAS NORMAL -> SHIELDED (waiting
     * out an INTERRUPTING), so an interrupt is either wholly delivered before the shield (and found there in the
     * interrupt status) or deferred until the shield ends; it never lands inside the cleanup.
     *
     * Own timeout. The timer only marks the task timed out and interrupts it; the task's own thread settles it
     * TIMED_OUT when its body returns, so the policy's onComplete always runs in the task's thread.
     */

    static final ScopedValue<TaskImpl<?>> CURRENT = ScopedValue.newInstance();

    /** The task whose binding the calling thread runs in, or null. */
    static TaskImpl<?> current() {
        return CURRENT.isBound() ? CURRENT.get() : null;
    }

    private static final int NORMAL = 0, SHIELDED = 1, DEFERRED = 2, INTERRUPTING = 3;

    final ScopeImpl<T, ?> scope;
    /**
     * The name given at fork, or null for an automatic one, then {@code task-<autoNumber>} built on first use
     * (racy single-check, like `path`), so that the owner's fork builds no string.
     */
    private String name;
    /** The number of an automatic name; 0 for a given name. Immutable. */
    private final int autoNumber;
    private final Callable<? extends T> body;
    /** The task's own timeout in nanoseconds, or 0 for none. Immutable. */
    private final long timeoutNanos;
    /** When the own timeout passes (TimeSource nanos); written and read by the task's thread only. */
    long timeoutAtNanos;
    /** The forking thread's MDC, copied into the task thread; null if empty. Immutable. */
    private final Map<String, String> mdc;
    /** scopePath/name; built on first use (racy single-check: every thread builds the same string). */
    private String path;

    /** Null until the task ends; then its outcome (see notes). CAS once. */
    private volatile Ended ended;
    /** Set once by the task's thread when it starts (QUEUED -> RUNNING). */
    private volatile boolean started;
    /** The thread while the body runs (see notes). */
    private volatile Thread thread;
    /** Set by the own-timeout timer before it interrupts. */
    private volatile boolean timedOut;
    /** Shield state (see notes). */
    private volatile int shield;
    /** Nesting depth of shielded cleanups and what the thread owned when the outermost began; task thread only. */
    int shieldDepth;
    ScopeImpl<?, ?> shieldBase;
    /** The innermost open scope this task's thread owns (ScopeTree); task thread only. */
    ScopeImpl<?, ?> ownedScope;

    TaskImpl(ScopeImpl<T, ?> scope, String name, int autoNumber, long timeoutNanos, Callable<? extends T> body) {
        this.scope = scope;
        this.name = name;
        this.autoNumber = autoNumber;
        this.timeoutNanos = timeoutNanos;
        this.body = body;
        this.mdc = MDC.getCopyOfContextMap();
    }

    /** How a task ended. Immutable but for the lazily made timeout exception. */
    private static final class Ended {
        final TaskState state;
        final Object value;
        final CancellationReason reason;
        /** The failure; for TIMED_OUT made on first use (racy single-check), so a deadline costs no stack traces. */
        Throwable exception;

        Ended(TaskState state, Object value, Throwable exception, CancellationReason reason) {
            this.state = state;
            this.value = value;
            this.exception = exception;
            this.reason = reason;
        }
    }

    /** The whole life of the task in its thread, called by the JDK scope's thread. */
    @Override
    public Object call() {
        try {
            Thread self = Thread.currentThread();
            started = true;
            self.setName(path());
            thread = self;
            CancellationReason stop = scope.stopReason();
            if (stop != null) {
                THREAD.setRelease(this, null);
                settleAsCancelled(stop);
                return null;
            }
            runBody();
        } finally {
            scope.onTaskExit();
        }
        return null;
    }

    @SuppressWarnings("unchecked")
    private void runBody() {
        TimeSource.Timer timer = null;
        if (timeoutNanos > 0) {
            timeoutAtNanos = scope.time.nanoTime() + timeoutNanos;
            timer = scope.time.schedule(timeoutAtNanos, this::timeOut);
        }
        if (mdc != null) {
            MDC.setContextMap(mdc);
        }
        Object value = null;
        Throwable failure = null;
        try {
            value = ScopedValue.where(CURRENT, this).call(body::call);
        } catch (Throwable t) {
            failure = t;
        } finally {
            if (mdc != null) {
                MDC.clear();
            }
        }
        THREAD.setRelease(this, null);
        if (timer != null) {
            timer.cancel();
        }
        boolean settled;
        if (timedOut) {
            String message = "task " + path() + " exceeded its timeout of " + Duration.ofNanos(timeoutNanos);
            settled = settle(new Ended(TaskState.TIMED_OUT, null, new TimeoutException(message),
                    new CancellationReason(CancellationReason.Kind.TASK_TIMEOUT, message, null)));
        } else if (failure == null) {
            settled = settle(new Ended(TaskState.SUCCEEDED, value, null, null));
        } else {
            CancellationReason stop = scope.stopReason();
            if (stop != null) {
                settleAsCancelled(stop); // a consequence of the stop, not a failure
                return;
            }
            settled = settle(new Ended(TaskState.FAILED, null, failure, null));
        }
        if (settled) {
            scope.onTaskCompleted(this);
        }
    }

    /** Runs on the timer when the task's own timeout passes. */
    private void timeOut() {
        timedOut = true;
        interruptForCancel();
    }

    /** Sets the outcome if the task has none yet; true if this call decided it. */
    private boolean settle(Ended outcome) {
        if (outcome.state == TaskState.FAILED || outcome.state == TaskState.TIMED_OUT
                && outcome.reason.kind() == CancellationReason.Kind.TASK_TIMEOUT) {
            return scope.settleFailure(this, () -> ENDED.compareAndSet(this, null, outcome));
        }
        return ENDED.compareAndSet(this, null, outcome);
    }

    /** Settles the task, if unfinished, as cancelled for {@code why} (timed out for a deadline); no interrupt. */
    boolean settleAsCancelled(CancellationReason why) {
        TaskState state = why.kind() == CancellationReason.Kind.DEADLINE ? TaskState.TIMED_OUT : TaskState.CANCELLED;
        return ended == null && ENDED.compareAndSet(this, null, new Ended(state, null, null, why));
    }

    /** Settles a task whose thread could not be started as failed with {@code cause}. */
    void settleFailedToStart(Throwable cause) {
        settle(new Ended(TaskState.FAILED, null, cause, null));
    }

    /** Interrupts the task's thread for a cancellation, once, or defers it while the task runs shielded cleanup. */
    void interruptForCancel() {
        while (true) {
            int s = shield;
            if (s == NORMAL) {
                if (SHIELD.compareAndSet(this, NORMAL, INTERRUPTING)) {
                    try {
                        Thread t = thread;
                        if (t != null) {
                            t.interrupt();
                        }
                    } finally {
                        shield = NORMAL;
                    }
                    return;
                }
            } else if (s == SHIELDED) {
                if (SHIELD.compareAndSet(this, SHIELDED, DEFERRED)) {
                    return;
                }
            } else if (s == DEFERRED) {
                return;
            } else {
                Thread.onSpinWait(); // INTERRUPTING: another canceller is delivering the same interrupt
                return;
            }
        }
    }

    /** Task thread: starts deferring cancellation interrupts (outermost shield only). */
    void enterShield() {
        while (!SHIELD.compareAndSet(this, NORMAL, SHIELDED)) {
            Thread.onSpinWait(); // a canceller is delivering an interrupt: let it finish first
        }
    }

    /** Task thread: stops deferring; true if a cancellation came meanwhile. */
    boolean leaveShield() {
        int s = (int) SHIELD.getAndSet(this, NORMAL);
        return s == DEFERRED;
    }

    boolean isShielded() {
        return shieldDepth > 0;
    }

    /** Whether the calling thread is this task's own, running shielded cleanup. */
    boolean shieldedHere() {
        return thread == Thread.currentThread() && shieldDepth > 0;
    }

    boolean hasStarted() {
        return started;
    }

    boolean isEnded() {
        return ended != null;
    }

    /** The thread running the task's body, or null. */
    Thread thread() {
        return thread;
    }

    /** Nanoseconds of the own timeout, or 0. */
    long timeoutNanos() {
        return timeoutNanos;
    }

    @Override
    public String name() {
        String n = name;
        if (n == null) {
            name = n = "task-" + autoNumber;
        }
        return n;
    }

    @Override
    public String path() {
        String p = path;
        if (p == null) {
            String n = name;
            path = p = n != null ? scope.path() + "/" + n : scope.path() + "/task-" + autoNumber;
        }
        return p;
    }

    @Override
    public TaskState state() {
        Ended e = ended;
        return e != null ? e.state : started ? TaskState.RUNNING : TaskState.QUEUED;
    }

    @Override
    @SuppressWarnings("unchecked")
    public T get() {
        Ended e = ended;
        if (e == null || e.state != TaskState.SUCCEEDED) {
            throw new IllegalStateException("task " + path() + " has no value: it is " + state()
                    + "; get() is allowed only on a SUCCEEDED task (join() waits for it)");
        }
        return (T) e.value;
    }

    @Override
    public Throwable exception() {
        Ended e = ended;
        if (e == null || (e.state != TaskState.FAILED && e.state != TaskState.TIMED_OUT)) {
            throw new IllegalStateException("task " + path() + " has no exception: it is " + state()
                    + "; exception() is allowed only on a FAILED or TIMED_OUT task");
        }
        Throwable x = e.exception;
        if (x == null) {
            e.exception = x = new TimeoutException(e.reason.detail());
        }
        return x;
    }

    @Override
    public Optional<CancellationReason> cancellationReason() {
        Ended e = ended;
        return e == null ? Optional.empty() : Optional.ofNullable(e.reason);
    }

    @Override
    public Outcome<T> outcome() {
        Ended e = ended;
        if (e == null) {
            throw new IllegalStateException("task " + path() + " has not ended: it is " + state()
                    + "; outcome() is allowed once the task ended (after join, or after its join())");
        }
        return switch (e.state) {
            case SUCCEEDED -> new Outcome.Success<>(name(), get());
            case FAILED -> new Outcome.Failure<>(name(), e.exception);
            case CANCELLED -> new Outcome.Cancelled<>(name(), e.reason);
            default -> new Outcome.TimedOut<>(name(), e.reason);
        };
    }

    @Override
    public T join() throws InterruptedException {
        scope.awaitTask(this);
        Ended e = ended;
        if (e == null) {
            throw new ScopeCancelledException(scope.path(), scope.stopReason());
        }
        return switch (e.state) {
            case SUCCEEDED -> get();
            case FAILED -> throw new ScopeFailedException(scope.path(), path(),
                    "task " + path() + " failed: " + e.exception, e.exception);
            case TIMED_OUT -> throw new ScopeFailedException(scope.path(), path(),
                    "task " + path() + " timed out: " + e.reason.detail(), exception());
            default -> throw new ScopeCancelledException(scope.path(), e.reason);
        };
    }

    @Override
    public String toString() {
        return "Task[" + path() + ", " + state() + "]";
    }

    // VarHandle mechanics
    private static final VarHandle ENDED;
    private static final VarHandle THREAD;
    private static final VarHandle SHIELD;

    static {
        try {
            var lookup = MethodHandles.lookup();
            ENDED = lookup.findVarHandle(TaskImpl.class, "ended", Ended.class);
            THREAD = lookup.findVarHandle(TaskImpl.class, "thread", Thread.class);
            SHIELD = lookup.findVarHandle(TaskImpl.class, "shield", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
