package dev.weft.time;

import java.time.Instant;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/** The real clocks. Timers run on the JDK's shared scheduler, the one the JDK's own scopes use for timeouts. */
final class SystemTimeSource implements TimeSource {

    /*
     * Implementation notes.
     *
     * Scheduler. schedule() hands the action to ForkJoinPool.commonPool().schedule, the delay queue that the
     * JDK's StructuredTaskScope uses for withTimeout: no thread per timer, and no thread of Weft's own that could
     * outlive a scope. The action runs on a common-pool worker, so actions must be short (stopping a scope,
     * interrupting a thread) and never block.
     *
     * Cancel. The Timer contract says that when cancel() returns, the action either never runs or has ended.
     * `runner` decides the race: null while pending; the worker CASes it to its own thread before running the
     * action and sets it to ENDED after; cancel() CASes null -> CANCELLED. A cancel that loses to a running action
     * waits until ENDED (parking in short steps: the action is short), except on the action's own thread (an
     * action may cancel its own timer). Cancelling costs the CAS and the removal of the entry from the delay
     * queue; nothing is allocated.
     */

    static final SystemTimeSource INSTANCE = new SystemTimeSource();

    private SystemTimeSource() {
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public Instant instant() {
        return Instant.now();
    }

    @Override
    public void sleepUntil(long deadlineNanos) throws InterruptedException {
        long remaining;
        while ((remaining = deadlineNanos - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(remaining);
        }
    }

    @Override
    public Timer schedule(long deadlineNanos, Runnable action) {
        var timer = new SharedTimer(action);
        long delay = Math.max(0, deadlineNanos - System.nanoTime());
        timer.entry = ForkJoinPool.commonPool().schedule(timer, delay, TimeUnit.NANOSECONDS);
        return timer;
    }

    private static final class SharedTimer extends AtomicReference<Thread> implements Timer, Runnable {
        /** Stands in `runner` for a timer that was cancelled before it ran. */
        private static final Thread CANCELLED = new Thread(() -> { }, "weft-timer-cancelled");
        /** Stands in `runner` for a timer whose action has ended. */
        private static final Thread ENDED = new Thread(() -> { }, "weft-timer-ended");

        private final Runnable action;
        /** The queue entry; written once by schedule() before the timer is handed out. */
        volatile ScheduledFuture<?> entry;

        SharedTimer(Runnable action) {
            this.action = action;
        }

        @Override
        public void run() {
            if (!compareAndSet(null, Thread.currentThread())) {
                return; // cancelled
            }
            try {
                action.run();
            } finally {
                set(ENDED);
            }
        }

        @Override
        public boolean cancel() {
            if (compareAndSet(null, CANCELLED)) {
                ScheduledFuture<?> e = entry;
                if (e != null) {
                    e.cancel(false);
                }
                return true;
            }
            Thread runner;
            while ((runner = get()) != ENDED && runner != CANCELLED && runner != Thread.currentThread()) {
                LockSupport.parkNanos(10_000L);
            }
            return false;
        }
    }
}
