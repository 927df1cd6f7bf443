package dev.weft.progress;

import dev.weft.internal.RuntimeThreads;
import dev.weft.time.TimeSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/** One subscription: a virtual thread that polls its node and calls the listener. */
final class ListenerDelivery implements Subscription, Runnable {

    /*
     * Implementation notes.
     *
     * One delivery thread per subscription, started through RuntimeThreads, is the only caller of the
     * listener: that alone makes calls serial (and each happens-before the next), keeps listener code and its
     * exceptions off the threads that advance the node, and needs nothing from advance(), which stays a
     * single CAS. The thread loops: read the clock, take a snapshot, deliver it if it differs from the last
     * delivered one (or is the first), end if it was ended, else sleep until clock + interval through the
     * TimeSource (so that a ManualTimeSource drives it in tests).
     *
     * Waking: end() and close() must cut the sleep short. The sleep is interruptible, but an interrupt
     * must never land while the listener runs. So `sleeping` and `wakeRequested` are guarded by `lock`; a
     * waker interrupts only while `sleeping` is true, and the delivery thread, after its sleep, clears
     * `sleeping` and the interrupt status in one locked section. An interrupt is therefore either consumed by
     * the sleep or cleared before the listener is called again. A wake that comes while the thread is
     * delivering sets `wakeRequested`, which makes the next sleep return at once.
     *
     * Exactly-once final delivery: the node's `ending` is set (by CAS) before end() reads the subscriptions
     * array, and a subscription is put in that array before its thread starts. Both are volatile accesses, so
     * either end() sees the subscription and wakes it, or the thread's first snapshot sees the ending (and reports
     * the frozen counts, so the snapshot is the final one). The thread delivers an ended snapshot once and ends;
     * nothing else calls the listener.
     */

    private static final Logger LOG = LoggerFactory.getLogger(Progress.class);

    private final Progress node;
    private final TimeSource time;
    private final long intervalNanos;
    private final Consumer<? super ProgressSnapshot> listener;

    private final ReentrantLock lock = new ReentrantLock();
    /** Guarded by lock; written by the delivery thread. */
    private Thread sleeper;
    /** Guarded by lock; set by wakers, cleared by the delivery thread. */
    private boolean wakeRequested;
    /** Set once by close(); read by the delivery thread. */
    private volatile boolean closed;
    /** Written once by start(), before the subscription is handed out. */
    private volatile Thread thread;

    ListenerDelivery(Progress node, TimeSource time, long intervalNanos, Consumer<? super ProgressSnapshot> listener) {
        this.node = node;
        this.time = time;
        this.intervalNanos = intervalNanos;
        this.listener = listener;
    }

    void start() {
        thread = RuntimeThreads.startVirtual("weft-progress-" + node.name(), this);
    }

    @Override
    public void run() {
        try {
            ProgressSnapshot last = null;
            while (!closed) {
                long startedAt = time.nanoTime();
                ProgressSnapshot snapshot = node.snapshot();
                if (last == null || snapshot.state().hasEnded() || changed(last, snapshot)) {
                    if (closed) {
                        return;
                    }
                    deliver(snapshot);
                    last = snapshot;
                }
                if (snapshot.state().hasEnded()) {
                    return;
                }
                sleepUntil(startedAt + intervalNanos);
            }
        } finally {
            node.remove(this);
        }
    }

    /** Cuts the current or next sleep short. */
    void wake() {
        lock.lock();
        try {
            wakeRequested = true;
            if (sleeper != null) {
                sleeper.interrupt();
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        closed = true;
        wake();
        Thread t = thread;
        if (t != null && t != Thread.currentThread()) {
            RuntimeThreads.joinUninterruptibly(t);
        }
    }

    private void deliver(ProgressSnapshot snapshot) {
        try {
            listener.accept(snapshot);
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) {
            LOG.warn("progress listener of '{}' threw; delivery goes on", node.name(), e);
        }
    }

    private void sleepUntil(long deadlineNanos) {
        lock.lock();
        try {
            if (wakeRequested) {
                wakeRequested = false;
                return;
            }
            sleeper = Thread.currentThread();
        } finally {
            lock.unlock();
        }
        try {
            time.sleepUntil(deadlineNanos);
        } catch (InterruptedException e) {
            // woken by end() or close(); the loop looks at why
        } finally {
            lock.lock();
            try {
                sleeper = null;
                wakeRequested = false;
                Thread.interrupted(); // a wake that raced with the end of the sleep
            } finally {
                lock.unlock();
            }
        }
    }

    private static boolean changed(ProgressSnapshot a, ProgressSnapshot b) {
        return a.done() != b.done() || a.total() != b.total() || a.fraction() != b.fraction()
                || a.state() != b.state() || !Objects.equals(a.step(), b.step())
                || !Objects.equals(a.message(), b.message());
    }
}
