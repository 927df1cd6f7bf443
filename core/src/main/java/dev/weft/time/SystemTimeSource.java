package dev.weft.time;

import dev.weft.internal.RuntimeThreads;

import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The real clocks. A timer is one virtual thread that sleeps until its deadline. */
final class SystemTimeSource implements TimeSource {

    /*
     * Implementation notes: a timer thread is started per schedule() call. Timers are opt-in (a scope
     * deadline, a per-task timeout), so a thread per timer costs a few hundred bytes and no platform thread,
     * and keeps the runtime free of shared daemon threads that would outlive their scopes. The timer's state
     * word decides the race between firing and cancelling: PENDING -> FIRED (the thread won) or
     * PENDING -> CANCELLED (cancel won). cancel() then joins the thread so it never outlives the call.
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
        var timer = new SleepingTimer(deadlineNanos, action);
        timer.thread = RuntimeThreads.startVirtual("weft-timer", timer::run);
        return timer;
    }

    private static final class SleepingTimer implements Timer {
        private static final int PENDING = 0, FIRED = 1, CANCELLED = 2;

        private final long deadlineNanos;
        private final Runnable action;
        /** Written by the timer thread (PENDING -> FIRED) or by cancel() (PENDING -> CANCELLED). */
        private final AtomicInteger state = new AtomicInteger(PENDING);
        /** Written once by schedule() before any cancel() can see this timer. */
        private volatile Thread thread;

        SleepingTimer(long deadlineNanos, Runnable action) {
            this.deadlineNanos = deadlineNanos;
            this.action = action;
        }

        void run() {
            try {
                INSTANCE.sleepUntil(deadlineNanos);
            } catch (InterruptedException e) {
                return; // cancelled
            }
            if (state.compareAndSet(PENDING, FIRED)) {
                action.run();
            }
        }

        @Override
        public boolean cancel() {
            boolean won = state.compareAndSet(PENDING, CANCELLED);
            Thread t = thread;
            if (won && t != null) {
                t.interrupt();
            }
            if (t != null && t != Thread.currentThread()) {
                RuntimeThreads.joinUninterruptibly(t);
            }
            return won;
        }
    }
}
