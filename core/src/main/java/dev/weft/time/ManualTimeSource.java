package dev.weft.time;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A time source that moves only when told to, for tests of deadlines, timeouts, retries and rates that must
 * not wait in real time.
 *
 * <p>{@link #advance(Duration)} moves the clock forward, runs every timer whose deadline has been reached (in
 * deadline order, on the calling thread) and wakes every sleeper whose deadline has been reached.
 * {@link #awaitSleepers(int)} lets a test wait, without sleeping, until the code under test is blocked in
 * {@link #sleepUntil(long)}, so that the order "the task sleeps, then the test advances" is deterministic.
 *
 * <p>Memory effects: actions in a thread before {@code advance} happen-before the timers it runs and the
 * returns from {@code sleepUntil} it causes.
 */
public final class ManualTimeSource implements TimeSource {

    /*
     * Implementation notes: one lock guards the clock, the timer queue, the sleeper count and every timer's
     * state. Timers run outside the lock (they may cancel scopes, which may cancel other timers of this source).
     * A timer goes PENDING -> FIRING -> FIRED (advance or schedule runs it) or PENDING -> CANCELLED (cancel won).
     * A cancel that finds it FIRING on another thread waits on actionEnded until it is FIRED, as the Timer
     * contract asks; on the firing thread itself (the action cancels its own timer) it returns at once.
     */

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Signalled whenever a timer's action has finished running. */
    private final Condition actionEnded = lock.newCondition();
    private final Instant epoch;
    /** Guarded by lock. */
    private long nanos;
    /** Guarded by lock. */
    private long sequence;
    /** Guarded by lock. */
    private int sleepers;
    /** Guarded by lock. */
    private final PriorityQueue<ManualTimer> timers = new PriorityQueue<>();

    /** A manual clock starting at {@code 2026-01-01T00:00:00Z} and monotonic time 0. */
    public ManualTimeSource() {
        this(Instant.parse("2026-01-01T00:00:00Z"));
    }

    /** A manual clock whose wall-clock time starts at {@code epoch}. */
    public ManualTimeSource(Instant epoch) {
        this.epoch = Objects.requireNonNull(epoch, "epoch");
    }

    @Override
    public long nanoTime() {
        lock.lock();
        try {
            return nanos;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Instant instant() {
        return epoch.plusNanos(nanoTime());
    }

    /**
     * Moves the clock forward by {@code amount}, then runs the timers that became due and wakes the sleepers
     * whose deadline was reached.
     *
     * @throws IllegalArgumentException if {@code amount} is negative
     */
    public void advance(Duration amount) {
        Objects.requireNonNull(amount, "amount");
        if (amount.isNegative()) {
            throw new IllegalArgumentException("amount must be zero or positive, was " + amount);
        }
        List<ManualTimer> due = new ArrayList<>();
        lock.lock();
        try {
            nanos += dev.weft.internal.Nanos.of(amount); // saturates (about 73 years at most), never overflows
            while (!timers.isEmpty() && timers.peek().deadlineNanos - nanos <= 0) {
                due.add(timers.poll());
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        for (ManualTimer timer : due) {
            timer.fire();
        }
    }

    /** The number of threads blocked in {@link #sleepUntil(long)} right now. */
    public int sleepers() {
        lock.lock();
        try {
            return sleepers;
        } finally {
            lock.unlock();
        }
    }

    /** The number of timers scheduled and not yet run or cancelled. */
    public int pendingTimers() {
        lock.lock();
        try {
            return timers.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until at least {@code count} threads are blocked in {@link #sleepUntil(long)}, or the real-time
     * {@code timeout} passes.
     *
     * @return {@code true} if that many sleepers were seen
     */
    public boolean awaitSleepers(int count, Duration timeout) throws InterruptedException {
        long remaining = dev.weft.internal.Nanos.of(timeout); // saturates: Duration.ofSeconds(Long.MAX_VALUE) waits "for ever"
        lock.lock();
        try {
            while (sleepers < count) {
                if (remaining <= 0) {
                    return false;
                }
                remaining = changed.awaitNanos(remaining);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** {@link #awaitSleepers(int, Duration)} with a ten-second bound, failing with an exception on timeout. */
    public void awaitSleepers(int count) throws InterruptedException {
        if (!awaitSleepers(count, Duration.ofSeconds(10))) {
            throw new IllegalStateException("expected " + count + " sleeping threads within 10s, saw " + sleepers());
        }
    }

    @Override
    public void sleepUntil(long deadlineNanos) throws InterruptedException {
        lock.lock();
        try {
            if (deadlineNanos - nanos <= 0) {
                return;
            }
            sleepers++;
            changed.signalAll();
            try {
                while (deadlineNanos - nanos > 0) {
                    changed.await(1, TimeUnit.SECONDS);
                }
            } finally {
                sleepers--;
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Timer schedule(long deadlineNanos, Runnable action) {
        Objects.requireNonNull(action, "action");
        ManualTimer timer;
        lock.lock();
        try {
            timer = new ManualTimer(deadlineNanos, sequence++, action);
            if (deadlineNanos - nanos > 0) {
                timers.add(timer);
                changed.signalAll();
                return timer;
            }
        } finally {
            lock.unlock();
        }
        timer.fire(); // already due
        return timer;
    }

    private final class ManualTimer implements Timer, Comparable<ManualTimer> {
        private static final int PENDING = 0, FIRING = 1, FIRED = 2, CANCELLED = 3;

        final long deadlineNanos;
        final long seq;
        final Runnable action;
        /** Guarded by lock (see notes). */
        int state = PENDING;
        /** Guarded by lock: the thread running the action while FIRING, else null. */
        Thread firingThread;

        ManualTimer(long deadlineNanos, long seq, Runnable action) {
            this.deadlineNanos = deadlineNanos;
            this.seq = seq;
            this.action = action;
        }

        void fire() {
            lock.lock();
            try {
                if (state != PENDING) {
                    return;
                }
                state = FIRING;
                firingThread = Thread.currentThread();
            } finally {
                lock.unlock();
            }
            try {
                action.run();
            } finally {
                lock.lock();
                try {
                    state = FIRED;
                    firingThread = null;
                    actionEnded.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        }

        @Override
        public boolean cancel() {
            lock.lock();
            try {
                if (state == PENDING) {
                    state = CANCELLED;
                    timers.remove(this);
                    return true;
                }
                while (state == FIRING && firingThread != Thread.currentThread()) {
                    actionEnded.awaitUninterruptibly();
                }
                return false;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public int compareTo(ManualTimer o) {
            int c = Long.compare(deadlineNanos - o.deadlineNanos, 0);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }
}
