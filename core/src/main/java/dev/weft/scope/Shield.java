package dev.weft.scope;

import dev.weft.internal.StructuredThreads;
import dev.weft.time.TimeSource;
import org.slf4j.MDC;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;

/** Runs cleanup code shielded from the calling task's cancellation. See {@link CurrentTask#shielded}. */
final class Shield {

    /*
     * Implementation notes.
     *
     * Why another thread. Cancelling a task interrupts its thread twice over: Weft interrupts it, and the JDK
     * scope interrupts every unfinished thread when it is cancelled (join after a stop, close). The JDK's
     * interrupts cannot be intercepted, so the cleanup cannot run safely in the task's own thread. It runs in a
     * thread of a private JDK scope opened in the task thread: that scope is not a Weft child scope, so a stop
     * cascade never reaches it, and the JDK only interrupts the threads of the scope being cancelled, not those
     * of scopes nested in them. ScopedValue bindings (so CurrentTask) are inherited; the MDC is copied.
     *
     * Waiting. The calling thread waits for the cleanup's latch ignoring interrupts, remembers them and
     * restores its interrupt status afterwards, so a cancellation arriving during the cleanup is deferred, not
     * lost. The bound is a timer on the task's time source (a ManualTimeSource in tests) that interrupts the
     * cleanup thread. It is armed before the cleanup thread starts, so the bound counts from the call even if
     * the clock moves as soon as the cleanup begins; `expired` covers a timer that fires before the thread has
     * published itself. The caller still waits for the cleanup to return, so no thread outlives the call and
     * the enclosing scope's close() waits for the cleanup as for any other work of the task.
     *
     * Owner confinement: the private StructuredThreads is created, forked, joined and closed by the calling
     * thread only. The latch is counted down in the cleanup thread's finally, so awaiting it and then joining
     * the JDK scope waits only for that thread's last instructions; the scope is joined before close so that
     * close does not interrupt it.
     */

    private Shield() {
    }

    static <V> V run(Duration max, Callable<V> cleanup) throws Exception {
        Objects.requireNonNull(max, "max must not be null; give the longest time the cleanup may take");
        Objects.requireNonNull(cleanup, "cleanup must not be null");
        if (max.isNegative() || max.isZero()) {
            throw new IllegalArgumentException("shield bound must be positive, was " + max);
        }
        TaskImpl<?> task = TaskImpl.current();
        TimeSource time = task != null ? task.scope.time : TimeSource.system();
        String name = (task != null ? task.path() : Thread.currentThread().getName()) + "/shielded";
        Map<String, String> mdc = MDC.getCopyOfContextMap();

        var run = new Run<V>(cleanup, mdc);
        boolean interrupted = Thread.interrupted();
        try (var threads = new StructuredThreads(name, () -> false)) {
            // the bound runs from the call, so it is armed before the cleanup can start (and the clock move)
            TimeSource.Timer bound = time.schedule(time.nanoTime() + ScopeImpl.saturatedNanos(max), run::expire);
            threads.start(Executors.callable(run));
            while (true) {
                try {
                    run.done.await();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true; // deferred: restored below
                }
            }
            bound.cancel();
            interrupted |= Thread.interrupted();
            threads.awaitThreads(false);
            interrupted |= Thread.interrupted();
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        if (run.failure != null) {
            if (run.failure instanceof Exception e) {
                throw e;
            }
            if (run.failure instanceof Error e) {
                throw e;
            }
            throw new RuntimeException(run.failure);
        }
        return run.result;
    }

    /** The cleanup's body, run on the cleanup thread, and the bound's action, run on the timer. */
    private static final class Run<V> implements Runnable {
        private final Callable<V> cleanup;
        private final Map<String, String> mdc;
        /** Opened by the cleanup thread when the cleanup returned; publishes result and failure. */
        final CountDownLatch done = new CountDownLatch(1);
        /** Written by the cleanup thread before done opens; read by the caller after. */
        V result;
        Throwable failure;
        /** Written by the cleanup thread as it starts; read by the timer. */
        private volatile Thread thread;
        /** Written by the timer; read by the cleanup thread as it starts (Dekker with {@code thread}). */
        private volatile boolean expired;

        Run(Callable<V> cleanup, Map<String, String> mdc) {
            this.cleanup = cleanup;
            this.mdc = mdc;
        }

        @Override
        public void run() {
            thread = Thread.currentThread();
            if (expired) {
                Thread.currentThread().interrupt(); // the bound passed before the cleanup started
            }
            if (mdc != null) {
                MDC.setContextMap(mdc);
            }
            try {
                result = cleanup.call();
            } catch (Throwable t) {
                failure = t;
            } finally {
                MDC.clear();
                done.countDown();
            }
        }

        void expire() {
            expired = true;
            Thread t = thread;
            if (t != null && done.getCount() > 0) {
                t.interrupt();
            }
        }
    }
}
