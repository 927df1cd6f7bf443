package dev.weft.scope;

import dev.weft.internal.StructuredThreads;
import dev.weft.time.TimeSource;
import org.slf4j.MDC;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

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
     * cleanup thread; the caller still waits for it to return, so no thread outlives the call and the
     * enclosing scope's close() waits for the cleanup as for any other work of the task.
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
        TaskImpl<?> task = TaskImpl.CURRENT.isBound() ? TaskImpl.CURRENT.get() : null;
        TimeSource time = task != null ? task.scope.time : TimeSource.system();
        String name = (task != null ? task.path : Thread.currentThread().getName()) + "/shielded";
        Map<String, String> mdc = MDC.getCopyOfContextMap();

        var done = new CountDownLatch(1);
        var result = new Object[1];
        var failure = new Throwable[1];
        var cleanupThread = new Thread[1];
        boolean interrupted = Thread.interrupted();
        try (var threads = new StructuredThreads(name, () -> false)) {
            threads.start(name, () -> {
                cleanupThread[0] = Thread.currentThread();
                if (mdc != null) {
                    MDC.setContextMap(mdc);
                }
                try {
                    result[0] = cleanup.call();
                } catch (Throwable t) {
                    failure[0] = t;
                } finally {
                    MDC.clear();
                    done.countDown();
                }
            });
            TimeSource.Timer bound = time.schedule(time.nanoTime() + ScopeImpl.saturatedNanos(max), () -> {
                Thread t = cleanupThread[0];
                if (t != null && done.getCount() > 0) {
                    t.interrupt();
                }
            });
            while (true) {
                try {
                    done.await();
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
        if (failure[0] != null) {
            if (failure[0] instanceof Exception e) {
                throw e;
            }
            if (failure[0] instanceof Error e) {
                throw e;
            }
            throw new RuntimeException(failure[0]);
        }
        @SuppressWarnings("unchecked")
        V v = (V) result[0];
        return v;
    }
}
