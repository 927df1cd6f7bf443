package dev.weft.stress.scope;

import dev.weft.scope.CurrentTask;
import dev.weft.scope.Join;
import dev.weft.scope.Scope;
import dev.weft.scope.ScopeCancelledException;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LL_Result;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * A cleanup run with {@link CurrentTask#shielded} is not interrupted by its task's cancellation, however the cancel
 * races with entering the shield, and the cancellation is deferred, not lost: the task's interrupt status is set
 * when {@code shielded} returns ({@link CurrentTask#shielded}; docs/scopes.md, "Cancellation and its reasons").
 *
 * <p>The race: the owner actor forks a task that calls {@code shielded} with a one-hour bound; the cleanup waits
 * until the cancel has returned, so the cancel always lands before the cleanup ends, anywhere from before
 * {@code shielded} is called to while the cleanup runs. The second actor cancels the scope as soon as the task
 * has started and then opens the cleanup's latch. The task records whether the cleanup was interrupted and
 * whether its own interrupt status was set afterwards; the owner reads both after close. With the shield not
 * restoring the interrupt status, every sample of a sanity run lost the interrupt.
 *
 * <p>Run: {@code ./weft stress -m sanity -t ShieldedCleanupOutlastsTheCancel} (or {@code -m quick} to hunt).
 */
@JCStressTest
@Outcome(id = "cleanup ran to its end, interrupt restored", expect = Expect.ACCEPTABLE, desc = "the cancel waited for the cleanup and reached the task after it")
@Outcome(expect = Expect.FORBIDDEN, desc = "the cancel interrupted the cleanup, or the task's interrupt was lost")
@State
public class ShieldedCleanupOutlastsTheCancel {

    private volatile Scope<String, ?> scope;
    private volatile boolean ownerFailed;
    private final CountDownLatch taskStarted = new CountDownLatch(1);
    private final CountDownLatch cancelReturned = new CountDownLatch(1);
    /** Written by the task thread, read by the owner after close. */
    private volatile String cleanup = "cleanup not run";
    private volatile String afterShield = "shielded did not return";

    @Actor
    public void owner(LL_Result r) {
        try (var s = Scope.named("shield").open(Join.<String>allSettled())) {
            s.fork("uploader", () -> {
                taskStarted.countDown();
                CurrentTask.shielded(Duration.ofHours(1), () -> {
                    try {
                        cancelReturned.await();
                        cleanup = "cleanup ran to its end";
                    } catch (InterruptedException e) {
                        cleanup = "cleanup interrupted";
                    }
                    return null;
                });
                afterShield = Thread.currentThread().isInterrupted() ? "interrupt restored" : "interrupt lost";
                return "done";
            });
            scope = s;
            try {
                s.join();
            } catch (ScopeCancelledException | InterruptedException e) {
                // expected: the canceller cancelled the scope (close still waits for the task)
            }
        } catch (RuntimeException | Error e) {
            ownerFailed = true;
            cancelReturned.countDown();
            afterShield = "owner threw " + e; // not an allowed outcome: surfaces as FORBIDDEN with the exception
        }
        r.r1 = cleanup; // after close: the task and its cleanup thread have ended, and their writes happened before
        r.r2 = afterShield;
    }

    /** Cancels the scope once its task has started, then lets the cleanup finish. */
    @Actor
    public void canceller() {
        Scope<String, ?> s;
        while ((s = scope) == null && !ownerFailed) {
            Thread.onSpinWait();
        }
        try {
            if (s != null) {
                taskStarted.await();
                s.cancel("stress canceller");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            cancelReturned.countDown();
        }
    }
}
