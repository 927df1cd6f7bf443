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
 * handed to the thread container and the operation run inside its {@code CURRENT} binding ({@link #call()} in
 * both roles), so starting and running a task allocate no wrapper.
 */
final class TaskImpl<T> implements Task<T>, Callable<Object>, ScopedValue.CallableOp<Object, Exception> {

    /*
     * Implementation notes.
     *
     * State machine: QUEUED -> RUNNING -> COMPLETING -> terminal, or QUEUED -> COMPLETING -> CANCELLED.
     * Whoever moves the state into COMPLETING by CAS owns the outcome: it writes result with
     * plain stores, then publishes the terminal state with a release store. Readers acquire the state first and
     * read the fields only once it is terminal. COMPLETING lasts a few instructions; a thread that must wait for
     * it (settleAsCancelled, and the task's own thread before it counts as exited) spins, then yields.
     * Competitors for the terminal state: the task's own thread (success or failure), the per-task timeout
     * timer, and the scope (cancelling queued tasks, or settling the unfinished ones when join stops waiting).
     * Exactly one wins; the others see the CAS fail and do nothing. A task counts as exited (its scope's
     * EXITS count rises) only once its terminal state is visible, so a join that sees nothing unfinished sees
     * every task ended.
     *
     * Interrupting. The task thread publishes itself in `thread` with a volatile write and then reads the scope's
     * stop reason; stop() writes the reason and then reads `thread` (through interrupt()). Both are volatile, so
     * one side sees the other: a task that starts during a stop is interrupted or sees the stop and does not run.
     * Clearing `thread` needs no such ordering (a release store, no fence): a canceller that still reads the old
     * value interrupts a thread whose body has returned, which a canceller racing with the end of the body could
     * do anyway; the interrupt then reaches only what the thread runs after the body (the policy's onComplete,
     * the thread's exit).
     *
     * The body's exception is caught inside the CURRENT binding and handed out as a return value (Thrown), not
     * thrown through the binding's frames. A task that blocks has its frames frozen; an exception unwinding
     * through frozen frames is slow enough to show: the 10,000 interrupted tasks of a cancelled scope took about
     * 1.6x as long to end (close p50 27 to 34 ms against 16 to 22 ms) as when the exception stops in the frame
     * right above the body.
     *
     * Naming. The owner writes nothing for the name: a task's thread is created with its scope's path as its
     * name (StructuredThreads never renames its builder) and renames itself to the task's path as it starts
     * running. The path comes from TaskThreadNames, which keeps names across scopes with the same path (a server
     * opens the same scopes request after request), so a task usually builds no string at all; otherwise it is
     * built then. A thread that never runs (cancelled while queued) keeps the scope's name. The rename is a
     * synchronized setName on the task's own, uncontended thread, on a carrier; creating each thread with its
     * name instead meant a write per fork to the scope's builder, which cost the owner's fork loop far more
     * (StructuredThreads' notes). The task holds no copy of the path: a fan-out keeps its tasks, and so
     * whatever they hold, until join. The task object is 56 bytes; builds at 64 bytes and at 48 both made the
     * fan-out of 100,000 tasks 10 to 15% slower in one JVM alternating with the raw scope (measured before
     * the builder's cache line was found to be shared, which may have been the cause). Measure before
     * changing it.
     */

    static final ScopedValue<TaskImpl<?>> CURRENT = ScopedValue.newInstance();

    /**
     * The task whose binding the calling thread runs in, or null: its own task, or, in a thread of a JDK scope
     * opened inside a task, the binding it inherited.
     */
    static TaskImpl<?> current() {
        return CURRENT.isBound() ? CURRENT.get() : null;
    }

    static final int QUEUED = 0, RUNNING = 1, COMPLETING = 2,
            SUCCEEDED = 3, FAILED = 4, CANCELLED = 5, TIMED_OUT = 6;
    private static final TaskState[] STATES = {TaskState.QUEUED, TaskState.RUNNING, TaskState.RUNNING,
            TaskState.SUCCEEDED, TaskState.FAILED, TaskState.CANCELLED, TaskState.TIMED_OUT};

    final ScopeImpl<T, ?> scope;
    /**
     * The name given at fork, or for an automatic name {@code task-<number>}, built on first use. Racy
     * single-check: every thread computes the same value.
     */
    private String name;
    /** The automatic name's number, or 0 when the name was given. Immutable. */
    private final int number;
    private final Callable<? extends T> body;
    /** The task's own timeout, or null for none. Immutable. */
    final Timeout timeout;
    /** The forking thread's MDC, copied into the task thread; null if empty. Immutable. */
    private final Map<String, String> mdc;

    /** Written by CAS from any competitor (see notes); read by anyone. */
    private volatile int state;
    /**
     * The outcome, written by the COMPLETING owner before the release of the terminal state: the value of a
     * SUCCEEDED task, the exception of a FAILED one, the reason of a CANCELLED one, a TimedOutResult of a TIMED_OUT
     * one. One field, not three: the bytes that a fan-out keeps per task until join.
     */
    private Object result;
    /**
     * The thread while the body runs: set by the task thread as it starts (a volatile write, see notes) and
     * cleared by it with a release store when the body returns; read by cancellers to interrupt it.
     */
    private volatile Thread thread;
    /**
     * The innermost open scope that the task's thread owns, or null: what a scope opened in the body nests in
     * (ScopeTree). Read and written by the task's thread only.
     */
    ScopeImpl<?, ?> ownedScope;

    /**
     * A task's own timeout: an object of its own, so that the many tasks without one carry one null field, not
     * two longs.
     */
    static final class Timeout {
        /** The timeout. Immutable. */
        final long nanos;
        /** When it passes (TimeSource nanos): written by the task's thread as the body starts, read by it only. */
        long atNanos;

        Timeout(long nanos) {
            this.nanos = nanos;
        }
    }

    /** What the body threw, handed out of the CURRENT binding as a return value (see call()). */
    private record Thrown(Throwable failure) {
    }

    /** The outcome of a TIMED_OUT task: the exception it reports and the reason it was stopped. */
    private record TimedOutResult(Throwable exception, CancellationReason reason) {
    }

    /**
     * A task named {@code name}, or, when {@code name} is null, with the automatic name {@code task-<number>}
     * ({@code number} is positive then).
     */
    TaskImpl(ScopeImpl<T, ?> scope, String name, int number, long timeoutNanos, Callable<? extends T> body) {
        this.scope = scope;
        this.name = name;
        this.number = number;
        this.timeout = timeoutNanos > 0 ? new Timeout(timeoutNanos) : null;
        this.body = body;
        this.mdc = MDC.getCopyOfContextMap();
    }

    /**
     * Runs in the task's own virtual thread, in two roles told apart by {@code thread}, which only this method
     * sets: called by the thread container with {@code thread} null, it is the whole life of the task there and
     * returns null; called by the {@code CURRENT} binding in {@link #runBody} with {@code thread} set, it runs
     * the user's body and returns its value, or what it threw wrapped in a {@code Thrown} (see notes).
     */
    @Override
    public Object call() throws Exception {
        if (thread != null) {
            try {
                return body.call();
            } catch (Throwable t) {
                return new Thrown(t);
            }
        }
        try {
            if (!STATE.compareAndSet(this, QUEUED, RUNNING)) {
                return null; // cancelled before it started
            }
            Thread self = Thread.currentThread();
            self.setName(path()); // here, not at fork: the owner's fork loop is what bounds a fan-out (see notes)
            thread = self;
            CancellationReason stop = scope.stopReason();
            if (stop != null) {
                THREAD.setRelease(this, null);
                settleAsCancelled(stop);
                return null;
            }
            runBody(); // clears thread itself, before the outcome
            return null;
        } finally {
            // A competitor (the timeout timer) may have won the outcome and still be publishing it: the task must
            // not count as exited before its terminal state is visible, or join could hand the policy a task
            // that has not ended. Found by jcstress (TaskSettledExactlyOnce).
            awaitSettlement();
            scope.onTaskExit();
        }
    }

    @SuppressWarnings("unchecked")
    private void runBody() {
        TimeSource.Timer timer = null;
        if (timeout != null) {
            timeout.atNanos = scope.time.nanoTime() + timeout.nanos;
            timer = scope.time.schedule(timeout.atNanos, this::timeOut);
        }
        if (mdc != null) {
            MDC.setContextMap(mdc);
        }
        T result = null;
        Throwable failure = null;
        try {
            Object returned = ScopedValue.where(CURRENT, this).call(this); // the body: see call()
            if (returned instanceof Thrown thrown) {
                failure = thrown.failure;
            } else {
                result = (T) returned;
            }
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
        String message = "task " + path() + " exceeded its timeout of " + Duration.ofNanos(timeout.nanos);
        var why = new CancellationReason(CancellationReason.Kind.TASK_TIMEOUT, message, null);
        var e = new TimeoutException(message);
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
        result = switch (terminal) {
            case SUCCEEDED -> v;
            case FAILED -> e;
            case CANCELLED -> r;
            default -> new TimedOutResult(e, r);
        };
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
            name = n = "task-" + number;
        }
        return n;
    }

    /**
     * scopePath/name, also the thread's name once it runs: not a field of the task (a fan-out keeps its tasks
     * until join) but kept by TaskThreadNames, or built.
     */
    @Override
    public String path() {
        return number == 0 ? scope.threadNames().given(name) : scope.threadNames().numbered(number);
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
            throw new IllegalStateException("task " + path() + " has no value: it is " + STATES[s]
                    + "; get() is allowed only on a SUCCEEDED task");
        }
        return (T) result;
    }

    @Override
    public Throwable exception() {
        int s = state;
        if (s != FAILED && s != TIMED_OUT) {
            throw new IllegalStateException("task " + path() + " has no exception: it is " + STATES[s]
                    + "; exception() is allowed only on a FAILED or TIMED_OUT task");
        }
        return s == FAILED ? (Throwable) result : ((TimedOutResult) result).exception();
    }

    @Override
    public Optional<CancellationReason> cancellationReason() {
        return switch (state) {
            case CANCELLED -> Optional.of((CancellationReason) result);
            case TIMED_OUT -> Optional.of(((TimedOutResult) result).reason());
            default -> Optional.empty();
        };
    }

    @Override
    public Outcome<T> outcome() {
        return switch (state) {
            case SUCCEEDED -> new Outcome.Success<>(name(), get());
            case FAILED -> new Outcome.Failure<>(name(), (Throwable) result);
            case CANCELLED -> new Outcome.Cancelled<>(name(), (CancellationReason) result);
            case TIMED_OUT -> new Outcome.TimedOut<>(name(), ((TimedOutResult) result).reason());
            default -> throw new IllegalStateException("task " + path() + " has not ended: it is " + state()
                    + "; outcome() is allowed once the task ended (after join)");
        };
    }

    @Override
    public String toString() {
        return "Task[" + path() + ", " + state() + "]";
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
