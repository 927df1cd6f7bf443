package dev.weft.scope;

import dev.weft.internal.Nanos;
import dev.weft.time.TimeSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;

/**
 * A retry policy: how many attempts, how long to wait between them (exponential backoff with optional jitter),
 * which failures are worth another attempt, and how long one attempt may take. Immutable; each method returns a
 * changed copy.
 *
 * <pre>{@code
 * Retry retry = Retry.attempts(4)
 *         .backoff(Duration.ofMillis(100), 2.0, Duration.ofSeconds(2))
 *         .jitter(0.2)
 *         .retryOn(e -> e instanceof IOException)
 *         .attemptTimeout(Duration.ofMillis(500));
 * scope.fork("vendorA", () -> retry.call(() -> vendorA.quote(item)));
 * }</pre>
 *
 * <p>Inside a Weft task, {@link #call(Callable)} reads time from the scope's {@link TimeSource} (so tests drive
 * backoff with a {@link dev.weft.time.ManualTimeSource}), and stops at once when the scope is cancelled or when
 * its deadline (or the task's timeout) cannot fit another attempt: the next delay, plus the attempt timeout when
 * one is set. It then throws the last failure, with the earlier ones {@linkplain Throwable#getSuppressed()
 * suppressed} and a note saying why it stopped.
 */
public final class Retry {

    /*
     * Implementation notes: a retry is a loop in the calling thread; the backoff sleeps through the time source,
     * so cancelling the task (an interrupt) ends the sleep. An attempt timeout runs the attempt in a nested scope
     * with that deadline, so the attempt's thread is structured and cancelled like any other.
     *
     * Jitter: one policy is shared by every thread that retries with it. Without a generator of the caller's,
     * each delay draws from ThreadLocalRandom.current(), the calling thread's own generator, so concurrent
     * retries draw independent values and need no coordination. A caller's generator (random(...)) is shared
     * state: each draw locks it, so that a generator that is not thread-safe is never used by two threads at once.
     *
     * Durations: every Duration this class takes may be as large as Duration allows. They are turned into
     * nanoseconds only through Nanos.of, which clamps to Nanos.MAX_SPAN (about 73 years), and a delay that the
     * multiplier takes past the maximum is the maximum, so no arithmetic overflows.
     */

    private final int maxAttempts;
    private final Duration initialDelay;
    private final double multiplier;
    private final Duration maxDelay;
    private final double jitter;
    private final Predicate<? super Throwable> retryOn;
    private final Duration attemptTimeout;
    /** The caller's generator for jitter, or null for the calling thread's ThreadLocalRandom. */
    private final RandomGenerator random;

    private Retry(int maxAttempts, Duration initialDelay, double multiplier, Duration maxDelay, double jitter,
                  Predicate<? super Throwable> retryOn, Duration attemptTimeout, RandomGenerator random) {
        this.maxAttempts = maxAttempts;
        this.initialDelay = initialDelay;
        this.multiplier = multiplier;
        this.maxDelay = maxDelay;
        this.jitter = jitter;
        this.retryOn = retryOn;
        this.attemptTimeout = attemptTimeout;
        this.random = random;
    }

    /**
     * At most {@code maxAttempts} attempts (the first included), 100 ms apart doubling up to 10 s, no jitter,
     * retrying on every {@link Exception}.
     *
     * @throws IllegalArgumentException if {@code maxAttempts < 1}
     */
    public static Retry attempts(int maxAttempts) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
        }
        return new Retry(maxAttempts, Duration.ofMillis(100), 2.0, Duration.ofSeconds(10), 0.0,
                e -> e instanceof Exception, null, null);
    }

    /**
     * Waits {@code initial} before the second attempt, then {@code multiplier} times longer before each next one,
     * never more than {@code max}.
     *
     * @throws IllegalArgumentException if {@code initial} is negative, {@code multiplier} is below 1 or not
     *         finite, or {@code max} is below {@code initial}
     */
    public Retry backoff(Duration initial, double multiplier, Duration max) {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(max, "max");
        if (initial.isNegative()) {
            throw new IllegalArgumentException("initial backoff must be zero or positive, was " + initial);
        }
        if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
            throw new IllegalArgumentException("backoff multiplier must be a finite number >= 1, was " + multiplier);
        }
        if (max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("max backoff (" + max + ") must not be below initial (" + initial + ")");
        }
        return new Retry(maxAttempts, initial, multiplier, max, jitter, retryOn, attemptTimeout, random);
    }

    /**
     * Spreads each delay uniformly over {@code delay * (1 - fraction)} to {@code delay * (1 + fraction)} (then caps
     * it at the max), so that many clients do not retry in lockstep. Each thread draws from its own generator
     * ({@link ThreadLocalRandom}) unless {@link #random(RandomGenerator)} gave one.
     *
     * @throws IllegalArgumentException unless {@code 0 <= fraction <= 1}
     */
    public Retry jitter(double fraction) {
        if (!(fraction >= 0.0 && fraction <= 1.0)) {
            throw new IllegalArgumentException("jitter must be between 0 and 1, was " + fraction);
        }
        return new Retry(maxAttempts, initialDelay, multiplier, maxDelay, fraction, retryOn, attemptTimeout, random);
    }

    /** Retries only failures that {@code which} accepts; others are thrown at once. */
    public Retry retryOn(Predicate<? super Throwable> which) {
        Objects.requireNonNull(which, "which");
        return new Retry(maxAttempts, initialDelay, multiplier, maxDelay, jitter, which, attemptTimeout, random);
    }

    /**
     * Limits each attempt to {@code timeout}; an attempt that exceeds it is cancelled and counts as a failure
     * ({@link TimeoutException}), retried like any other.
     *
     * @throws IllegalArgumentException if {@code timeout} is zero or negative
     */
    public Retry attemptTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("attempt timeout must be positive, was " + timeout);
        }
        return new Retry(maxAttempts, initialDelay, multiplier, maxDelay, jitter, retryOn, timeout, random);
    }

    /**
     * The random source for jitter, for reproducible tests. Every thread that retries with this policy draws from
     * this one generator, one draw at a time (each draw holds the generator's monitor), so it need not be
     * thread-safe; without this call each thread draws from its own {@link ThreadLocalRandom}.
     */
    public Retry random(RandomGenerator random) {
        Objects.requireNonNull(random, "random");
        return new Retry(maxAttempts, initialDelay, multiplier, maxDelay, jitter, retryOn, attemptTimeout, random);
    }

    /** The maximum number of attempts, the first included. */
    public int maxAttempts() {
        return maxAttempts;
    }

    /** The timeout of one attempt, or {@code null} for none. */
    public java.time.Duration attemptTimeoutOrNull() {
        return attemptTimeout;
    }

    /** Whether {@code failure} is worth another attempt. */
    public boolean retries(Throwable failure) {
        return !(failure instanceof InterruptedException) && retryOn.test(failure);
    }

    /**
     * The wait before attempt number {@code attempt} (2 for the first retry), jitter applied, never more than the
     * max. Delays of any size are allowed; a delay is computed in nanoseconds held at most about 73 years, and one
     * that reaches the max is the max.
     *
     * @throws IllegalArgumentException if {@code attempt < 2}
     */
    public Duration delayBefore(int attempt) {
        if (attempt < 2) {
            throw new IllegalArgumentException("attempt must be 2 or more (the first attempt has no delay), was " + attempt);
        }
        double nanos = Nanos.of(initialDelay) * Math.pow(multiplier, attempt - 2); // NaN only for 0 x Infinity: a delay of 0
        if (jitter > 0) {
            nanos *= 1.0 + jitter * (2.0 * nextRandom() - 1.0);
        }
        long max = Nanos.of(maxDelay);
        return nanos >= max ? maxDelay : Duration.ofNanos((long) nanos);
    }

    /** A uniform draw in [0, 1) from the caller's generator, or the calling thread's own. */
    private double nextRandom() {
        RandomGenerator r = random;
        if (r == null) {
            return ThreadLocalRandom.current().nextDouble();
        }
        synchronized (r) {
            return r.nextDouble();
        }
    }

    /**
     * Calls {@code body} until it returns, a failure is not retried, the attempts are used up, the scope is
     * cancelled, or the deadline cannot fit another attempt.
     *
     * @return the first value {@code body} returns
     * @throws Exception the last failure, with the earlier ones suppressed; {@link InterruptedException} or
     *         {@link CancellationException} when cancelled while waiting or before an attempt
     */
    public <V> V call(Callable<V> body) throws Exception {
        Objects.requireNonNull(body, "body");
        TaskImpl<?> task = TaskImpl.current();
        TimeSource time = task != null ? task.scope.time : TimeSource.system();
        List<Throwable> earlier = new ArrayList<>();
        for (int attempt = 1; ; attempt++) {
            if (cancelled(task)) {
                throw rethrowable(withEarlier(new CancellationException("retry stopped before attempt "
                        + attempt + ": " + task.scope.stopReason()), earlier));
            }
            Throwable failure;
            try {
                return attemptTimeout == null ? body.call() : callWithTimeout(body, attempt);
            } catch (Throwable t) {
                failure = t;
            }
            if (!retries(failure) || attempt == maxAttempts || cancelled(task)) {
                throw rethrowable(withEarlier(failure, earlier));
            }
            Duration delay = delayBefore(attempt + 1);
            long now = time.nanoTime();
            long needed = Nanos.of(delay) + (attemptTimeout == null ? 1 : Nanos.of(attemptTimeout)); // <= 2 MAX_SPAN
            Duration left = task == null ? null : CurrentTask.remaining().orElse(null);
            if (left != null && Nanos.of(left) < needed) {
                failure.addSuppressed(new TimeoutException("retry stopped after attempt " + attempt + " of "
                        + maxAttempts + ": the next attempt (after " + delay + (attemptTimeout == null ? "" : ", taking up to " + attemptTimeout)
                        + ") cannot fit the " + left + " left before the deadline"));
                throw rethrowable(withEarlier(failure, earlier));
            }
            earlier.add(failure);
            time.sleepUntil(now + Nanos.of(delay));
        }
    }

    /** Whether the calling task was cancelled; not inside shielded cleanup, which runs on despite it. */
    private static boolean cancelled(TaskImpl<?> task) {
        return task != null && !task.shieldedHere() && task.scope.stopReason() != null;
    }

    private <V> V callWithTimeout(Callable<V> body, int attempt) throws Exception {
        try (var scope = Scope.named("attempt-" + attempt).deadline(attemptTimeout).open(Join.<V>allSuccessful())) {
            scope.fork("call", body);
            return scope.join().getFirst();
        } catch (ScopeFailedException e) {
            throw rethrowable(e.getCause());
        } catch (ScopeTimeoutException e) {
            throw new TimeoutException("attempt " + attempt + " exceeded its timeout of " + attemptTimeout);
        }
    }

    private static Throwable withEarlier(Throwable last, List<Throwable> earlier) {
        for (Throwable e : earlier) {
            if (e != last) {
                last.addSuppressed(e);
            }
        }
        return last;
    }

    private static Exception rethrowable(Throwable t) {
        if (t instanceof Error e) {
            throw e;
        }
        return t instanceof Exception e ? e : new RuntimeException(t);
    }
}
