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

/**
 * A forked task: its state machine, its result, and the body its virtual thread runs. It is itself the Callable
 * handed to the thread container ({@link #call()}), so starting a task allocates no wrapper.
 */
final class TaskImpl<T> implements Task<T>, Callable<Void> {

    /*
     * Implementation notes.
     *
     * State machine: QUEUED -> RUNNING -> COMPLETING -> terminal, or QUEUED -> COMPLETING -> CANCELLED.
     * Whoever moves the state into COMPLETING by CAS owns the outcome: it writes result and reason with
     * plain stores, then publishes the terminal state with a release store. Readers acquire the state first and
     * read the fields only once it is terminal. COMPLETING lasts a few instructions; a thread that must wait for
     * it (settleAsCancelled, and the task's own thread before it counts as exited) spins, then yields.
     * Competitors for the terminal state: the task's own thread (success or failure), the per-task timeout
     * timer, and the scope (cancelling queued tasks, or settling the unfinished ones when join stops waiting).
     * Exactly one wins; the others see the CAS fail and do nothing. A task counts as exited (the scope's
     * `exitBalance` rises) only once its terminal state is visible, so a join that sees nothing unfinished sees
     * every task ended.
     *
     * Interrupting. The task thread publishes itself in `thread` with a volatile write and then reads the scope's
     * stop reason; stop() writes the reason and then reads `thread` (through interrupt()). Both are volatile, so
     * one side sees the other: a task that starts during a stop is interrupted or sees the stop and does not run.
     * Clearing `thread` needs no such ordering (a release store, no fence): a canceller that still reads the old
     * value interrupts a thread whose body has returned, which a canceller racing with the end of the body could
     * do anyway; the interrupt then reaches only what the thread runs after the body (the policy's onComplete,
     * the thread's exit).
     */

    static final ScopedValue<TaskImpl<?>> CURRENT = ScopedValue.newInstance();

    static final int QUEUED = 0, RUNNING = 1, COMPLETING = 2,
            SUCCEEDED = 3, FAILED = 4, CANCELLED = 5, TIMED_OUT = 6;
    private static final TaskState[] STATES = {TaskState.QUEUED, TaskState.RUNNING, TaskState.RUNNING,
            TaskState.SUCCEEDED, TaskState.FAILED, TaskState.CANCELLED, TaskState.TIMED_OUT};

    final ScopeImpl<T, ?> scope;
    /** scopePath/name: the thread's name too. Immutable. */
    final String path;
    /**
     * The last segment of path. Given at fork, or, for an automatic name, cut from path on first use, so that a
     * fork builds one string, not two. Racy single-check: every thread computes the same value.
     */
    private String name;
    private final Callable<? extends T> body;
    /** The task's own timeout, or 0 for none. Immutable. */
    final long timeoutNanos;
    /** The forking thread's MDC, copied into the task thread; null if empty. Immutable. */
    private final Map<String, String> mdc;

    /** Written by CAS from any competitor (see notes); read by anyone. */
    private volatile int state;
    /*
     * Outcome fields: written by the COMPLETING owner before the release of the terminal state. `result` is the
     * value of a SUCCEEDED task and the exception of a FAILED or TIMED_OUT one (one field, not two: 8 bytes less
     * for every task, which a fan-out keeps until join).
     */
    private Object result;
    private CancellationReason reason;
    /**
     * The thread while the body runs: set by the task thread as it starts (a volatile write, see notes) and
     * cleared by it with a release store when the body returns; read by cancellers to interrupt it.
     */
    private volatile Thread thread;
    /** The deadline of the task's own timeout (TimeSource nanos), valid when timeoutNanos > 0; task thread only. */
    long timeoutAtNanos;

    /** A task named {@code name}, or with the automatic name that ends {@code path} when {@code name} is null. */
    TaskImpl(ScopeImpl<T, ?> scope, String name, String path, long timeoutNanos, Callable<? extends T> body) {
        this.scope = scope;
        this.name = name;
        this.path = path;
        this.timeoutNanos = timeoutNanos;
        this.body = body;
        this.mdc = MDC.getCopyOfContextMap();
    }

    /** Runs in the task's own virtual thread: the whole life of the task there. Always returns null. */
    @Override
    public Void call() {
        try {
            if (!STATE.compareAndSet(this, QUEUED, RUNNING)) {
                return null; // cancelled before it started
            }
            thread = Thread.currentThread();
            CancellationReason stop = scope.stopReason();
            if (stop != null) {
                settleAsCancelled(stop);
                return null;
            }
            runBody();
            return null;
        } finally {
            THREAD.setRelease(this, null);
            // A competitor (the timeout timer) may have won the outcome and still be publishing it: the task must
            // not count as exited before its terminal state is visible, or join could hand the policy a task
            // that has not ended. Found by jcstress (TaskSettledExactlyOnce).
            awaitSettlement();
            scope.onTaskExit();
        }
    }

    private void runBody() {
        TimeSource.Timer timer = null;
        if (timeoutNanos > 0) {
            timeoutAtNanos = scope.time.nanoTime() + timeoutNanos;
            timer = scope.time.schedule(timeoutAtNanos, this::timeOut);
        }
        if (mdc != null) {
            MDC.setContextMap(mdc);
        }
        T result = null;
        Throwable failure = null;
        try {
            result = ScopedValue.where(CURRENT, this).call(body::call);
        } catch (Throwable t) {
            failure = t;
        } finally {
            if (mdc != null) {
                MDC.clear();
            }
        }
        THREAD.setRelease(this, null); // before the outcome, so a stop after it finds nothing to interrupt (see notes)
        if (timer != null) {
            timer.cancel();
        }
        if (failure == null) {
            if (settle(RUNNING, SUCCEEDED, result, null, null)) {
                scope.onTaskCompleted(this);
            }
        } else {
            CancellationReason stop = scope.stopReason();
            if (stop != null) {
                settleAsCancelled(stop); // a consequence of the stop, not a failure
            } else if (settle(RUNNING, FAILED, null, failure, null)) {
                scope.onTaskCompleted(this);
            }
        }
    }

    /** Runs on the timer when the task's own timeout passes. */
    private void timeOut() {
        var why = new CancellationReason(CancellationReason.Kind.TASK_TIMEOUT,
                "task " + path + " exceeded its timeout of " + Duration.ofNanos(timeoutNanos), null);
        var e = new TimeoutException("task " + path + " exceeded its timeout of " + Duration.ofNanos(timeoutNanos));
        if (settle(RUNNING, TIMED_OUT, null, e, why)) {
            interrupt();
            scope.onTaskCompleted(this);
        }
    }

    /** Moves the task from {@code from} to {@code terminal}; true if this call decided the outcome. */
    private boolean settle(int from, int terminal, T v, Throwable e, CancellationReason r) {
        if (!STATE.compareAndSet(this, from, COMPLETING)) {
            return false;
        }
        result = terminal == SUCCEEDED ? v : e;
        reason = r;
        if (terminal == FAILED || (terminal == TIMED_OUT && r.kind() == CancellationReason.Kind.TASK_TIMEOUT)) {
            // joins the completion order before anyone can see it ended, so "first failure" agrees with what
            // other threads observe
            scope.recordFailure(this);
        }
        STATE.setRelease(this, terminal);
        return true;
    }

    /**
     * Settles an unfinished task as cancelled for {@code why}, or as timed out when {@code why} is a deadline;
     * does nothing to a task that already ended. Does not interrupt.
     */
    boolean settleAsCancelled(CancellationReason why) {
        boolean timedOut = why.kind() == CancellationReason.Kind.DEADLINE;
        int terminal = timedOut ? TIMED_OUT : CANCELLED;
        Throwable e = timedOut ? new TimeoutException(why.detail()) : null;
        while (true) {
            int s = state;
            if (s == QUEUED || s == RUNNING) {
                if (settle(s, terminal, null, e, why)) {
                    return true;
                }
            } else if (s == COMPLETING) {
                awaitSettlement();
            } else {
                return false;
            }
        }
    }

    /**
     * Waits while another thread is publishing this task's outcome (COMPLETING lasts a few instructions): spins
     * briefly, then yields, so that a settler on a virtual thread that is not mounted gets a carrier.
     */
    private void awaitSettlement() {
        for (int spins = 0; state == COMPLETING; spins++) {
            if (spins < 64) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }

    /** Interrupts the task's thread if its body is running. */
    void interrupt() {
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }

    /** The thread running the task's body, or null. */
    Thread thread() {
        return thread;
    }

    boolean isQueuedOrRunning() {
        int s = state;
        return s == QUEUED || s == RUNNING;
    }

    @Override
    public String name() {
        String n = name;
        if (n == null) {
            n = path.substring(scope.path().length() + 1);
            name = n;
        }
        return n;
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public TaskState state() {
        return STATES[state];
    }

    @Override
    @SuppressWarnings("unchecked")
    public T get() {
        int s = state;
        if (s != SUCCEEDED) {
            throw new IllegalStateException("task " + path + " has no value: it is " + STATES[s]
                    + "; get() is allowed only on a SUCCEEDED task");
        }
        return (T) result;
    }

    @Override
    public Throwable exception() {
        int s = state;
        if (s != FAILED && s != TIMED_OUT) {
            throw new IllegalStateException("task " + path + " has no exception: it is " + STATES[s]
                    + "; exception() is allowed only on a FAILED or TIMED_OUT task");
        }
        return (Throwable) result;
    }

    @Override
    public Optional<CancellationReason> cancellationReason() {
        int s = state;
        return s == CANCELLED || s == TIMED_OUT ? Optional.of(reason) : Optional.empty();
    }

    @Override
    public Outcome<T> outcome() {
        return switch (state) {
            case SUCCEEDED -> new Outcome.Success<>(name(), get());
            case FAILED -> new Outcome.Failure<>(name(), (Throwable) result);
            case CANCELLED -> new Outcome.Cancelled<>(name(), reason);
            case TIMED_OUT -> new Outcome.TimedOut<>(name(), reason);
            default -> throw new IllegalStateException("task " + path + " has not ended: it is " + state()
                    + "; outcome() is allowed once the task ended (after join)");
        };
    }

    @Override
    public String toString() {
        return "Task[" + path + ", " + state() + "]";
    }

    // VarHandle mechanics
    private static final VarHandle STATE;
    private static final VarHandle THREAD;

    static {
        try {
            var lookup = MethodHandles.lookup();
            STATE = lookup.findVarHandle(TaskImpl.class, "state", int.class);
            THREAD = lookup.findVarHandle(TaskImpl.class, "thread", Thread.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
