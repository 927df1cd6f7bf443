package dev.weft.stress.scope;

import dev.weft.scope.Join;
import dev.weft.scope.Scope;
import dev.weft.scope.ScopeCancelledException;
import dev.weft.scope.Task;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LL_Result;

import java.util.concurrent.CountDownLatch;

/**
 * A task that forks while its scope stops leaves nothing queued: each fork either started (and ended by close)
 * or came back already CANCELLED, and join returned without waiting for tasks forked after the stop (Scope,
 * "Stopping"; issue 20 item 4).
 *
 * <p>The race: the owner actor forks a task that forks a child into the scope; the second actor cancels the
 * scope as soon as that task has started, so the child's fork races with the stop. The owner joins (it must
 * return), closes, and reports the state of the child and whether join threw the cancel.
 *
 * <p>Run: {@code ./weft stress -m sanity -t ForkRacingStopIsNeverLeftQueued} (or {@code -m quick} to hunt).
 */
@JCStressTest
@Outcome(id = "SUCCEEDED, cancelled", expect = Expect.ACCEPTABLE, desc = "the child was forked and ran before the stop")
@Outcome(id = "CANCELLED, cancelled", expect = Expect.ACCEPTABLE, desc = "the child was forked into a stopped scope, or queued and settled by the stop")
@Outcome(id = "no child, cancelled", expect = Expect.ACCEPTABLE, desc = "the forking task was stopped before its body ran")
@Outcome(id = "SUCCEEDED, returned", expect = Expect.ACCEPTABLE_INTERESTING, desc = "everything ended before the cancel landed")
@Outcome(expect = Expect.FORBIDDEN, desc = "a child left QUEUED or RUNNING after close, or join failed otherwise")
@State
public class ForkRacingStopIsNeverLeftQueued {

    private volatile Scope<Integer, ?> scope;
    private volatile Task<Integer> child;
    private final CountDownLatch forkerStarted = new CountDownLatch(1);
    private volatile String joined = "join not reached";

    @Actor
    public void owner() {
        try (var s = Scope.named("racing").open(Join.<Integer>allSettled())) {
            scope = s;
            s.fork("forker", () -> {
                forkerStarted.countDown();
                child = s.fork("child", () -> 1);
                return 0;
            });
            try {
                s.join();
                joined = "returned";
            } catch (ScopeCancelledException e) {
                joined = "cancelled";
            } catch (InterruptedException e) {
                joined = "interrupted";
            }
        } catch (RuntimeException | Error e) {
            joined = "owner threw " + e;
        } finally {
            forkerStarted.countDown(); // the forker never started: do not leave the canceller waiting
        }
    }

    @Actor
    public void canceller() {
        try {
            Scope<Integer, ?> s;
            while ((s = scope) == null) {
                Thread.onSpinWait();
            }
            forkerStarted.await();
            s.cancel("stress canceller");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Arbiter
    public void arbiter(LL_Result r) {
        Task<Integer> c = child;
        r.r1 = c == null ? "no child" : c.state().toString();
        r.r2 = joined;
    }
}
