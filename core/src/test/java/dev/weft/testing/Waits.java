package dev.weft.testing;

import dev.weft.scope.Scope;
import dev.weft.scope.Task;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Small helpers for tests ordered by latches and conditions, never by sleeps; shared by every test package. */
public final class Waits {

    public static final Duration PATIENCE = Duration.ofSeconds(10);

    private Waits() {
    }

    /** Blocks until interrupted: a task that runs until it is cancelled. */
    public static <V> V forever() throws InterruptedException {
        new CountDownLatch(1).await();
        throw new AssertionError("unreachable");
    }

    /**
     * Forks into {@code scope} (from its owner) a task named {@code name} that runs until it is cancelled, and
     * returns once its body has started.
     */
    public static <T> Task<T> forkRunning(Scope<T, ?> scope, String name) throws InterruptedException {
        CountDownLatch started = new CountDownLatch(1);
        Task<T> task = scope.fork(name, () -> {
            started.countDown();
            return forever();
        });
        await(started);
        return task;
    }

    /** Awaits {@code latch} with a generous bound, failing the test if it does not open. */
    public static void await(CountDownLatch latch) throws InterruptedException {
        if (!latch.await(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("latch did not open within " + PATIENCE);
        }
    }

    /** Polls {@code condition} (a state another thread will reach) with a generous bound. */
    public static void until(BooleanSupplier condition) {
        long end = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("condition not reached within " + PATIENCE);
            }
            LockSupport.parkNanos(200_000); // polling a condition with a bound, not ordering
        }
    }

    /** Whether {@code thread} is parked or waiting, with or without a timeout (a runtime owner may use either). */
    public static boolean isWaiting(Thread thread) {
        Thread.State state = thread.getState();
        return state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING;
    }

    /**
     * Waits for {@code release} ignoring interrupts, counting each one down on {@code interrupted}: a task that
     * refuses to be cancelled.
     */
    public static void ignoringInterrupts(CountDownLatch release, CountDownLatch interrupted) {
        while (true) {
            try {
                release.await();
                return;
            } catch (InterruptedException e) {
                interrupted.countDown();
            }
        }
    }

    /**
     * Runs {@code work} on {@code threads} platform threads released together by one barrier, waits for all of
     * them, and fails with the first throwable any of them threw.
     */
    public static void runTogether(int threads, Runnable work) throws InterruptedException {
        CyclicBarrier start = new CyclicBarrier(threads);
        List<Thread> started = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            started.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                    work.run();
                } catch (Throwable e) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                }
            }));
        }
        for (Thread t : started) {
            t.join();
        }
        if (!failures.isEmpty()) {
            throw new AssertionError("a thread of runTogether failed", failures.get(0));
        }
    }
}
