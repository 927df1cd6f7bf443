package dev.weft.internal;

import java.util.concurrent.Callable;
import java.util.concurrent.StructuredTaskScope;
import java.util.concurrent.StructuredTaskScope.Joiner;
import java.util.concurrent.StructuredTaskScope.Subtask;

/**
 * The only class in Weft that touches the JDK's preview {@link StructuredTaskScope} (JDK 25, JEP 505). A JDK
 * upgrade that changes that API changes this file and nothing else; see
 * {@code docs/decisions/0002-preview-api-behind-one-adapter.md}.
 *
 * <p>Weft uses the JDK scope as the structured thread container only: every task thread is started in it (so
 * thread dumps show the scope tree, ScopedValue bindings are inherited, and a thread cannot outlive the scope),
 * while results, policies, deadlines and cancellation are Weft's own. Owner-only, like the JDK scope:
 * {@link #start} and {@link #close} must be called by the thread that created it.
 */
public final class StructuredThreads implements AutoCloseable {

    /*
     * Implementation notes.
     *
     * Never cancelled. Weft interrupts a cancelled task itself, once, and may defer that interrupt while the task
     * runs shielded cleanup. A JDK scope interrupts every unfinished thread when it is cancelled, which would be a
     * second interrupt that nothing can defer. So the JDK scope is never cancelled: its joiner never asks for it,
     * no timeout is configured, and close() first joins it (which waits without interrupting anyone) and only
     * then closes it. The caller calls close() once every thread's body has returned, so the join waits at most
     * for the threads' last instructions.
     *
     * Starting. The JDK's fork does not start a thread when the scope's flock was shut down behind the owner's
     * back (a ScopedValue binding that the scope was opened in has ended and closed it): it returns normally, and
     * the thread it made ends without running anything. start() hands the caller that thread, so that it can
     * tell (the thread is not alive and the body never began) and not count a task that will never run.
     */

    /** The joiner of every such scope: it keeps nothing and never cancels (see notes). */
    private static final Joiner<Object, Void> NEVER_CANCEL = new Joiner<>() {
        @Override
        public boolean onFork(Subtask<?> subtask) {
            return false;
        }

        @Override
        public boolean onComplete(Subtask<?> subtask) {
            return false;
        }

        @Override
        public Void result() {
            return null;
        }
    };

    private final StructuredTaskScope<Object, Void> scope;
    /** Makes every thread of the scope. Owner-confined: the JDK calls it from fork, in the owner. */
    private final Thread.Builder.OfVirtual builder;
    /** The thread made by the last fork; owner-confined. */
    private Thread made;

    /** Opens a JDK scope named {@code name} in the calling thread; its threads start with that name too. */
    public StructuredThreads(String name) {
        this.builder = Thread.ofVirtual().name(name);
        this.scope = StructuredTaskScope.open(NEVER_CANCEL, config -> config
                .withName(name)
                .withThreadFactory(body -> made = builder.unstarted(RuntimeThreads.tracked(body))));
    }

    /**
     * Starts {@code body} on a new virtual thread of this scope.
     *
     * @return the thread made for it, or null if none was made. A thread that is no longer alive and never ran
     *         the body was refused by a JDK scope closed behind the owner's back (see notes)
     * @throws java.util.concurrent.StructureViolationException if the owner's ScopedValue bindings are not those
     *         it had when it opened the scope
     */
    public Thread start(Callable<?> body) {
        made = null;
        scope.fork(body);
        Thread t = made;
        made = null;
        return t;
    }

    /**
     * Waits for every thread of the scope to end, without interrupting any, then closes the JDK scope. Call it
     * once every thread's body has returned. Ignores interrupts while it waits and keeps the interrupt status.
     *
     * @throws java.util.concurrent.StructureViolationException if the JDK found a structure violation at close
     *         (its threads have ended by then)
     */
    @Override
    public void close() {
        boolean interrupted = Thread.interrupted();
        try {
            try {
                scope.join();
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (IllegalStateException e) {
                // already joined or closed
            }
            scope.close();
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
