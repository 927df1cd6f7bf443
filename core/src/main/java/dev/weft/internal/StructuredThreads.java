package dev.weft.internal;

import java.util.concurrent.Callable;
import java.util.concurrent.StructuredTaskScope;
import java.util.concurrent.StructuredTaskScope.Joiner;
import java.util.concurrent.StructuredTaskScope.Subtask;
import java.util.function.BooleanSupplier;

/**
 * The only class in Weft that touches the JDK's preview {@link StructuredTaskScope} (JDK 25, JEP 505). A JDK
 * upgrade that changes that API changes this file and nothing else; see
 * {@code docs/decisions/0002-preview-api-behind-one-adapter.md}.
 *
 * <p>Weft uses the JDK scope as the structured thread container: every task thread is started in it (so thread
 * dumps show the scope tree, ScopedValue bindings are inherited, and {@link #close()} cannot return while a
 * thread runs), while results, policies, deadlines and cancellation reasons are Weft's own. Owner-only, like the
 * JDK scope: {@link #start}, {@link #awaitThreads} and {@link #close} must be called by the thread that created
 * it.
 */
public final class StructuredThreads implements AutoCloseable {

    /*
     * Implementation notes: the JDK lets only a Joiner's onComplete (or a JDK timeout) cancel a scope, from the
     * thread of a completing subtask. Weft decides to stop a scope from any thread (a timer, another task, an
     * HTTP request), and interrupts the tasks itself. To make the JDK scope cancelled too, so that its join
     * returns without waiting for tasks that ignore interrupts, the owner forks a no-op "stop signal" subtask
     * whose completion reaches onComplete, which answers stopRequested = true. The signal is forked only on the
     * stop path, so the common path pays nothing for it.
     *
     * Thread creation. The JDK calls the thread factory in fork, so in the owner thread only. The factory
     * reuses one Thread.Builder for every thread of the scope: a builder made per thread (Thread.ofVirtual() in
     * the factory) costs about 40 bytes a task whenever escape analysis does not remove it, which it often did
     * not in the fan-out benchmark. A builder is not thread-safe; owner confinement is what makes reusing it
     * safe. The builder is named once, after the scope, and never renamed: every thread starts with the scope's
     * path as its name, and a task's thread renames itself as it starts running (TaskImpl). Renaming the builder
     * before each fork, to create each thread with its task's name, was tried (eighth round) and cost about a
     * quarter of the fan-out's throughput: the builder is a small object allocated with the scope, next to
     * objects that every task thread reads as it ends (the joiner, the JDK scope), so a write per fork to it
     * moved that cache line between the owner's core and the carriers' once per task, and on two cores the
     * owner's fork loop is what bounds a fan-out (docs/performance.md, "Eleventh round"). Nothing here is written
     * per fork.
     *
     * Waking the owner. JDK 25's thread container (jdk.internal.misc.ThreadFlock.decrementThreadCount) unparks
     * the owner whenever its count of live threads drops to zero, whether or not the owner waits in join. Weft
     * relies on that only as an optimisation with a fallback (ScopeCounts: a platform owner waiting for the last
     * exit parks with a timeout), and ThreadsEndWakeOwnerTest fails if a JDK update drops the wake-up. Class
     * files compiled with --enable-preview load only on the JDK feature release they were compiled for, so the
     * behaviour relied on is JDK 25's.
     */

    /**
     * Whether the owner is unparked when the last thread of its scope ends (see notes). A hint, not a promise
     * to build on alone: a waiter that uses it must also wake by itself after a while.
     */
    public static final boolean OWNER_UNPARKED_WHEN_THREADS_END = true;

    private final StructuredTaskScope<Object, Void> scope;
    /** Makes every thread of the scope, named after it. Owner-confined: fork runs the factory there. */
    private final Thread.Builder.OfVirtual builder;

    /**
     * Opens a JDK scope named {@code name} in the calling thread; its threads start with that name too.
     *
     * @param stopRequested read whenever a thread of the scope completes; {@code true} cancels the JDK scope
     */
    public StructuredThreads(String name, BooleanSupplier stopRequested) {
        this.builder = Thread.ofVirtual().name(name);
        Joiner<Object, Void> joiner = new Joiner<>() {
            @Override
            public boolean onFork(Subtask<?> subtask) {
                return false; // the default checks the subtask's state: a read per fork that says nothing new here
            }

            @Override
            public boolean onComplete(Subtask<?> subtask) {
                return stopRequested.getAsBoolean();
            }

            @Override
            public Void result() {
                return null;
            }
        };
        this.scope = StructuredTaskScope.open(joiner, config -> config
                .withName(name)
                .withThreadFactory(body -> builder.unstarted(RuntimeThreads.tracked(body))));
    }

    /**
     * Starts {@code body} on a new virtual thread named after the scope, unless the scope was cancelled. Takes a
     * Callable, not a Runnable: the JDK's fork(Runnable) wraps its argument in one more object per thread.
     */
    public void start(Callable<?> body) {
        scope.fork(body);
    }

    /**
     * Waits for the scope's threads. With {@code stopped}, first makes sure the JDK scope is cancelled, so that
     * this returns at once even if some thread ignores its interrupt (close() still waits for it). Never throws
     * {@link InterruptedException}: it is meant to be called once Weft knows the threads are done or stopped,
     * so it waits at most for a thread's last few instructions; the interrupt status is kept.
     */
    public void awaitThreads(boolean stopped) {
        if (stopped && !scope.isCancelled()) {
            scope.fork(() -> null);
        }
        boolean interrupted = Thread.interrupted();
        try {
            while (true) {
                try {
                    scope.join();
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (IllegalStateException e) {
                    return; // already joined
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Whether the JDK scope has been cancelled. */
    public boolean isCancelled() {
        return scope.isCancelled();
    }

    /** Closes the JDK scope: cancels it if not joined, and waits for every thread, even if interrupted. */
    @Override
    public void close() {
        scope.close();
    }
}
