package dev.weft.stress.scope;

import dev.weft.scope.Join;
import dev.weft.scope.Scope;
import dev.weft.scope.ScopeCancelledException;
import dev.weft.scope.Task;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LLL_Result;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A cancel ends the owner's waits at once: a fork waiting for a free slot under the cap returns a task that never
 * starts, and join returns without waiting for a task that ignores its interrupt (docs/scopes.md: "queued tasks
 * never start"; join settles the unfinished tasks without waiting for them, and close waits for their threads).
 *
 * <p>The race: the owner actor opens a scope with {@code maxConcurrency(1)}, forks task "a", which holds the only
 * slot and ignores interrupts until the owner releases it after join (or until a bound of
 * {@link #IGNORING_BOUND_SECONDS} passes), waits until a's body runs, publishes the scope and forks task "b",
 * which has to wait for the slot.
 * The second actor cancels the scope as soon as it sees it: before "b" is forked, or while the owner waits for
 * its slot. The owner records b's state (and whether its body ran), what join did, and, after close, how "a"
 * ended. An owner wait that the cancel did not end (a lost wake-up, or a join that waits for "a") lasts until a's
 * bound passes and shows as {@code bound passed}; a queued task started after the cancel shows as {@code +ran}.
 * With the stop check taken out of the owner's wait for a slot, every sample of a sanity run showed
 * {@code bound passed}.
 *
 * <p>Run: {@code ./weft stress -m sanity -t CancelCutsShortTheOwnersWaits} (or {@code -m quick} to hunt).
 */
@JCStressTest
@Outcome(id = "CANCELLED, cancelled, released", expect = Expect.ACCEPTABLE, desc = "the cancel ended the wait for a slot (or came before the fork) and join did not wait for the task ignoring it")
@Outcome(expect = Expect.FORBIDDEN, desc = "an owner wait outlasted the cancel, or the waiting task started after it")
@State
public class CancelCutsShortTheOwnersWaits {

    /** How long task "a" ignores interrupts unless the owner releases it first. */
    static final long IGNORING_BOUND_SECONDS = 5;

    private volatile Scope<Integer, ?> scope;
    /** Set by the owner if it failed before publishing the scope, so that the canceller stops waiting for it. */
    private volatile boolean ownerFailed;
    private volatile boolean bRan;
    /** How "a" ended; written by its thread, read by the owner after close. */
    private volatile String aEnd = "not run";
    private final CountDownLatch aRunning = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);

    @Actor
    public void owner(LLL_Result r) {
        try (var s = Scope.named("waits").maxConcurrency(1).open(Join.<Integer>allSettled())) {
            s.fork("a", this::ignoreInterruptsUntilReleased);
            aRunning.await(); // a's body runs before anyone can cancel, so it is a task that ignores the cancel
            scope = s;
            Task<Integer> b = s.fork("b", () -> {
                bRan = true;
                return 2;
            });
            r.r1 = b.state() + (bRan ? "+ran" : "");
            try {
                s.join();
                r.r2 = "returned";
            } catch (ScopeCancelledException e) {
                r.r2 = "cancelled";
            } catch (InterruptedException e) {
                r.r2 = "owner interrupted";
            }
            release.countDown();
        } catch (InterruptedException e) {
            ownerFailed = true;
            release.countDown();
            r.r2 = "owner interrupted";
        } catch (RuntimeException | Error e) {
            ownerFailed = true;
            release.countDown();
            r.r2 = "owner threw " + e; // not an allowed outcome: surfaces as FORBIDDEN with the exception
        }
        r.r3 = aEnd; // after close: a's thread has ended, and its write happened before
    }

    private Integer ignoreInterruptsUntilReleased() {
        aRunning.countDown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(IGNORING_BOUND_SECONDS);
        while (true) {
            long left = deadline - System.nanoTime();
            try {
                if (release.await(Math.max(0, left), TimeUnit.NANOSECONDS)) {
                    aEnd = "released";
                    return 1;
                }
                aEnd = "bound passed";
                return 1;
            } catch (InterruptedException e) {
                // ignored on purpose: the task that does not stop when cancelled
            }
        }
    }

    /** Cancels the scope as soon as the owner has published it. */
    @Actor
    public void canceller() {
        Scope<Integer, ?> s;
        while ((s = scope) == null && !ownerFailed) {
            Thread.onSpinWait();
        }
        if (s != null) {
            s.cancel("stress canceller");
        }
    }
}
