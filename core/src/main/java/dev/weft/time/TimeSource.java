package dev.weft.time;

import java.time.Instant;

/**
 * Where Weft reads time from: deadlines, per-task timeouts, retry backoff and progress rates all go through one
 * {@code TimeSource}, so that tests can replace real time with a {@link ManualTimeSource} and never wait.
 *
 * <p>A time source offers a monotonic clock ({@link #nanoTime()}), a wall clock for timestamps
 * ({@link #instant()}), a way to block until a point on the monotonic clock ({@link #sleepUntil(long)}) and
 * one-shot timers ({@link #schedule(long, Runnable)}).
 *
 * <pre>{@code
 * var time = new ManualTimeSource();
 * try (var scope = Scope.named("quote").timeSource(time).deadline(Duration.ofSeconds(2)).open(Join.allSettled())) {
 *     scope.fork("slow", () -> { Thread.sleep(Long.MAX_VALUE); return 0; });
 *     time.advance(Duration.ofSeconds(2));      // the deadline fires now, not in two seconds
 *     var outcomes = scope.join();               // [TimedOut[slow]]
 * }
 * }</pre>
 *
 * <p>Thread safety: every method may be called from any thread.
 */
public sealed interface TimeSource permits SystemTimeSource, ManualTimeSource {

    /** The real clocks: {@link System#nanoTime()}, {@link Instant#now()}, and virtual-thread timers. */
    static TimeSource system() {
        return SystemTimeSource.INSTANCE;
    }

    /** Monotonic time in nanoseconds, with the meaning of {@link System#nanoTime()}: only differences count. */
    long nanoTime();

    /** The current wall-clock time, for timestamps in records and logs. */
    Instant instant();

    /**
     * Blocks until {@link #nanoTime()} has reached {@code deadlineNanos}. Returns at once when it already has.
     *
     * @throws InterruptedException if the calling thread is interrupted while waiting; the interrupt status is
     *         cleared
     */
    void sleepUntil(long deadlineNanos) throws InterruptedException;

    /**
     * Runs {@code action} once, as soon as {@link #nanoTime()} has reached {@code deadlineNanos}, unless the
     * returned timer is cancelled first. The action must be short and must not block on the thread that
     * cancels the timer.
     */
    Timer schedule(long deadlineNanos, Runnable action);

    /** A scheduled one-shot action. */
    interface Timer {
        /**
         * Cancels the timer. When this method returns, the action either has not run and never will, or has
         * finished running; no thread that the timer used is left alive.
         *
         * @return {@code true} if the action did not run and never will
         */
        boolean cancel();
    }
}
