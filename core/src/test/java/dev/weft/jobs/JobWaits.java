package dev.weft.jobs;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Waiting helpers for the job tests: ordered by latches and conditions, never by sleeps. */
final class JobWaits {

    static final Duration PATIENCE = Duration.ofSeconds(10);

    private JobWaits() {
    }

    /** Blocks until interrupted: a body that runs until it is cancelled. */
    static <V> V forever() throws InterruptedException {
        new CountDownLatch(1).await();
        throw new AssertionError("unreachable");
    }

    /** Awaits {@code latch} with a generous bound, failing the test if it does not open. */
    static void await(CountDownLatch latch) throws InterruptedException {
        if (!latch.await(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("latch did not open within " + PATIENCE);
        }
    }

    /** Polls {@code condition} (a state another thread will reach) with a generous bound. */
    static void until(BooleanSupplier condition) {
        long end = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("condition not reached within " + PATIENCE);
            }
            LockSupport.parkNanos(200_000); // polling a condition with a bound, not ordering
        }
    }

    /** A body that waits for {@code release} and returns null. */
    static JobBody<Object> waitFor(CountDownLatch release) {
        return ctx -> {
            release.await();
            return null;
        };
    }

    /** Awaits the job's end with a generous bound and returns its final record. */
    static JobRecord finished(JobHandle<?> h) throws InterruptedException {
        if (!h.awaitCompletion(PATIENCE)) {
            throw new AssertionError("job " + h.id() + " did not finish within " + PATIENCE + ": " + h.record());
        }
        return h.record();
    }
}
