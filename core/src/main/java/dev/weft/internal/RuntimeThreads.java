package dev.weft.internal;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;

/**
 * The one place that creates Weft's own threads, so that a test harness can check that none outlives its
 * work.
 *
 * <p>Tracking is off by default and costs nothing then (a static final flag the JIT folds away). It is
 * switched on with {@code -Dweft.trackThreads=true}, which the project's test runs set: every thread started
 * here, and every task thread of a scope, is then recorded until its body returns.
 */
public final class RuntimeThreads {

    /*
     * Implementation notes: a thread is registered by itself as the first action of its body and removed in
     * a finally block as the last, so "tracked" means "running Weft code right now". A thread blocked in
     * Thread.join() on a tracked thread therefore sees it untracked once join returns.
     */

    /** Whether threads are tracked; read once at class initialisation. */
    public static final boolean TRACKING = Boolean.getBoolean("weft.trackThreads");

    private static final Set<Thread> LIVE = ConcurrentHashMap.newKeySet();

    private RuntimeThreads() {
    }

    /** Wraps {@code body} so that the thread running it is tracked while it runs (when tracking is on). */
    public static Runnable tracked(Runnable body) {
        if (!TRACKING) {
            return body;
        }
        return () -> {
            Thread self = Thread.currentThread();
            LIVE.add(self);
            try {
                body.run();
            } finally {
                LIVE.remove(self);
            }
        };
    }

    /** Starts a tracked virtual thread with the given name. */
    public static Thread startVirtual(String name, Runnable body) {
        return Thread.ofVirtual().name(name).start(tracked(body));
    }

    /** A factory of tracked platform threads named {@code prefix-N}, daemon or not. */
    public static ThreadFactory platformFactory(String prefix, boolean daemon) {
        ThreadFactory base = Thread.ofPlatform().name(prefix + "-", 1).daemon(daemon).factory();
        return r -> base.newThread(tracked(r));
    }

    /** A factory of tracked virtual threads named {@code prefix-N}. */
    public static ThreadFactory virtualFactory(String prefix) {
        ThreadFactory base = Thread.ofVirtual().name(prefix + "-", 1).factory();
        return r -> base.newThread(tracked(r));
    }

    /** Marks the calling thread as a runtime thread until {@link #untrackCurrent()}. */
    public static void trackCurrent() {
        if (TRACKING) {
            LIVE.add(Thread.currentThread());
        }
    }

    /** Ends what {@link #trackCurrent()} started. */
    public static void untrackCurrent() {
        if (TRACKING) {
            LIVE.remove(Thread.currentThread());
        }
    }

    /** The runtime threads running right now (always empty when tracking is off). */
    public static List<Thread> live() {
        return List.copyOf(LIVE);
    }

    /** Waits for {@code thread} to terminate, ignoring interrupts meanwhile and restoring the interrupt status after. */
    public static void joinUninterruptibly(Thread thread) {
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
