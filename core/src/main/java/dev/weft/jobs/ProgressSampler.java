package dev.weft.jobs;

import dev.weft.internal.RuntimeThreads;
import dev.weft.time.TimeSource;


/**
 * One virtual thread per runtime that samples the running jobs' progress every interval and hands each job to
 * the runtime, which emits a PROGRESS event when its progress changed. Started when the first listener
 * subscribes; stopped at shutdown.
 */
final class ProgressSampler {

    private final TimeSource time;
    private final long intervalNanos;
    private final Runnable sampleAll;
    private final String threadName;
    /** Guarded by this. */
    private Thread thread;
    /** Guarded by this. */
    private boolean stopped;

    ProgressSampler(TimeSource time, long intervalNanos, String threadName, Runnable sampleAll) {
        this.time = time;
        this.intervalNanos = intervalNanos;
        this.threadName = threadName;
        this.sampleAll = sampleAll;
    }

    synchronized void ensureStarted() {
        if (thread == null && !stopped) {
            thread = RuntimeThreads.startVirtual(threadName, this::loop);
        }
    }

    private void loop() {
        while (!isStopped()) {
            try {
                time.sleepUntil(time.nanoTime() + intervalNanos);
            } catch (InterruptedException e) {
                continue; // stop() interrupts; the loop condition decides
            }
            sampleAll.run();
        }
    }

    private synchronized boolean isStopped() {
        return stopped;
    }

    /** Stops the thread and waits for it to end. */
    void stop() {
        Thread t;
        synchronized (this) {
            stopped = true;
            t = thread;
        }
        if (t != null) {
            t.interrupt();
            RuntimeThreads.joinUninterruptibly(t);
        }
    }

}
