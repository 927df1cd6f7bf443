package dev.weft.scope;

import dev.weft.time.TimeSource;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;

/** Runs cleanup code shielded from the calling task's cancellation. See {@link CurrentTask#shielded}. */
final class Shield {

    /*
     * Implementation notes.
     *
     * In the task's own thread. Weft is the only one to interrupt a task's thread for a cancellation, once (the
     * JDK scope under it is never cancelled: StructuredThreads), so the shield defers that one interrupt instead
     * of moving the cleanup to another thread: the outermost shield puts the task in SHIELDED state
     * (TaskImpl.enterShield), where a canceller records DEFERRED instead of interrupting, and the shield sets the
     * interrupt status again when it ends if a cancellation came meanwhile, or if one had been delivered before it
     * began (the status is cleared for the cleanup and restored after).
     *
     * The bound. A timer on the task's time source interrupts the thread when `max` has passed, for real: the
     * cleanup is meant to give up then. `Bound` makes sure that interrupt lands inside the cleanup or not at all:
     * the timer interrupts only while `running`, both under Bound's monitor, and the shield cancels the timer
     * (which waits for an action in flight) before it clears the bound's leftover interrupt.
     *
     * Scopes opened in the cleanup are roots for cancellation (ScopeTree), so cleanup may use Weft.
     */

    private Shield() {
    }

    static <V> V run(Duration max, Callable<V> cleanup) throws Exception {
        Objects.requireNonNull(max, "max must not be null; give the longest time the cleanup may take");
        Objects.requireNonNull(cleanup, "cleanup must not be null");
        if (max.isNegative() || max.isZero()) {
            throw new IllegalArgumentException("shield bound must be positive, was " + max);
        }
        TaskImpl<?> task = TaskImpl.current();
        Thread self = Thread.currentThread();
        boolean own = task != null && task.thread() == self;
        TimeSource time = task != null ? task.scope.time : TimeSource.system();
        boolean outermost = own && task.shieldDepth == 0;
        if (outermost) {
            task.enterShield();
            task.shieldBase = ScopeTree.innermostOwned();
        }
        if (own) {
            task.shieldDepth++;
        }
        boolean interruptedBefore = Thread.interrupted();
        var bound = new Bound(self);
        TimeSource.Timer timer = time.schedule(time.nanoTime() + ScopeImpl.saturatedNanos(max), bound::expire);
        try {
            return cleanup.call();
        } finally {
            bound.end();
            timer.cancel();
            boolean interruptedNow = Thread.interrupted();
            boolean deferred = false;
            if (own) {
                task.shieldDepth--;
                if (outermost) {
                    task.shieldBase = null;
                    deferred = task.leaveShield();
                }
            }
            if (interruptedBefore || deferred || (interruptedNow && !bound.fired)) {
                self.interrupt();
            }
        }
    }

    /** The shield's bound: interrupts the cleanup's thread once `max` has passed, if the cleanup still runs. */
    private static final class Bound {
        private final Thread thread;
        /** Guarded by this. */
        private boolean running = true;
        /** Written under this; read by the shield's thread after end(). */
        boolean fired;

        Bound(Thread thread) {
            this.thread = thread;
        }

        synchronized void expire() {
            if (running) {
                fired = true;
                thread.interrupt();
            }
        }

        synchronized void end() {
            running = false;
        }
    }
}
