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

    /** A body that waits for {@code release} and returns null. */
    static JobBody<Object> waitFor(CountDownLatch release) {
        return ctx -> {
            release.await();
            return null;
        };
    }

    /** A body that counts down {@code started}, then waits for {@code release} and returns null. */
    static JobBody<Object> startedThenWaitFor(CountDownLatch started, CountDownLatch release) {
        return ctx -> {
            started.countDown();
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
