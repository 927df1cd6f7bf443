package dev.weft.bench.durable;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What every system's job handler calls: {@link #ran(int)} with the job's index. Static, because JobRunr creates its
 * handler instances itself.
 *
 * <p>Throughput: {@link #arm(int)} expects a number of handler calls; {@link #awaitAll} waits until that many ran
 * and gives the {@link System#nanoTime()} at which the last one did. Latency: {@link #expect(int)} before one
 * submit; {@link #awaitStart} gives the nanoTime at which that job's handler started.
 */
final class Recorder {

    private static final AtomicInteger done = new AtomicInteger();
    private static volatile int target = Integer.MAX_VALUE;
    private static volatile CountDownLatch allDone = new CountDownLatch(1);
    private static final AtomicLong allDoneAt = new AtomicLong();
    private static final AtomicLong firstAt = new AtomicLong();

    private record Expected(int index, CountDownLatch started, AtomicLong at) {
    }

    private static final AtomicReference<Expected> expected = new AtomicReference<>();

    private Recorder() {
    }

    /** Called first thing by every handler. */
    static void ran(int index) {
        long now = System.nanoTime();
        Expected e = expected.get();
        if (e != null && e.index == index && e.at.compareAndSet(0, now)) {
            e.started.countDown();
        }
        int count = done.incrementAndGet();
        if (count == 1) {
            firstAt.set(now);
        }
        if (count == target) {
            allDoneAt.set(System.nanoTime());
            allDone.countDown();
        }
    }

    /** Resets the count and expects {@code jobs} handler calls from now on. */
    static void arm(int jobs) {
        target = Integer.MAX_VALUE;
        done.set(0);
        allDoneAt.set(0);
        firstAt.set(0);
        allDone = new CountDownLatch(1);
        target = jobs;
        if (jobs == 0) {
            allDone.countDown();
        }
    }

    /** How many handler calls since {@link #arm}. */
    static int done() {
        return done.get();
    }

    /** The nanoTime at which the first handler since {@link #arm} started, or 0. */
    static long firstStart() {
        return firstAt.get();
    }

    /** The nanoTime at which the armed count was reached, or -1 if not within the timeout. */
    static long awaitAll(long timeout, TimeUnit unit) throws InterruptedException {
        return allDone.await(timeout, unit) ? allDoneAt.get() : -1;
    }

    /** Expects the handler of job {@code index} next. */
    static void expect(int index) {
        expected.set(new Expected(index, new CountDownLatch(1), new AtomicLong()));
    }

    /** The nanoTime at which the expected job's handler started, or -1 if not within the timeout. */
    static long awaitStart(long timeout, TimeUnit unit) throws InterruptedException {
        Expected e = expected.get();
        return e.started.await(timeout, unit) ? e.at.get() : -1;
    }
}
