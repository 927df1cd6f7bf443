package dev.weft.stress.scope;

import dev.weft.scope.CancellationReason;
import dev.weft.scope.Join;
import dev.weft.scope.Scope;
import dev.weft.scope.ScopeCancelledException;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.L_Result;

import java.util.concurrent.CountDownLatch;

/**
 * The owner of a nested scope whose parent is cancelled gets the parent's reason from join
 * ({@code ScopeCancelledException} with {@code PARENT_CANCELLED}), never an {@code InterruptedException}, however
 * the parent's stop races with the nested owner's open and join (Scope, "Stopping"; issue 20 item 7).
 *
 * <p>The race: the owner actor's task opens a nested scope, forks a task that runs until cancelled and joins it;
 * the second actor cancels the outer scope as soon as the task has started, so the cancel lands anywhere from
 * before the nested scope opens to while its owner waits in join. The task reports what its join threw.
 *
 * <p>Run: {@code ./weft stress -m sanity -t NestedOwnerGetsItsParentsReason} (or {@code -m quick} to hunt).
 */
@JCStressTest
@Outcome(id = "PARENT_CANCELLED", expect = Expect.ACCEPTABLE, desc = "the nested owner got the parent's cancellation")
@Outcome(id = "task never ran", expect = Expect.ACCEPTABLE, desc = "the outer task was stopped before its body ran")
@Outcome(expect = Expect.FORBIDDEN, desc = "an InterruptedException or another reason reached the nested owner")
@State
public class NestedOwnerGetsItsParentsReason {

    private volatile Scope<String, ?> outer;
    private final CountDownLatch started = new CountDownLatch(1);
    private volatile String seen = "task never ran";

    @Actor
    public void owner(L_Result r) {
        try (var s = Scope.named("outer").open(Join.<String>allSettled())) {
            outer = s;
            s.fork("t", () -> {
                started.countDown();
                try (var inner = Scope.named("inner").open(Join.<String>allSuccessful())) {
                    inner.fork("leaf", () -> {
                        new CountDownLatch(1).await();
                        return "unreachable";
                    });
                    inner.join();
                    seen = "join returned";
                } catch (ScopeCancelledException e) {
                    CancellationReason.Kind kind = e.reason().kind();
                    seen = kind.toString();
                } catch (Throwable e) {
                    seen = e.getClass().getSimpleName();
                }
                return "done";
            });
            try {
                s.join();
            } catch (ScopeCancelledException | InterruptedException expected) {
                // the canceller cancelled the outer scope
            }
        } finally {
            started.countDown();
        }
        r.r1 = seen; // after close: the task's write happened before
    }

    @Actor
    public void canceller() {
        try {
            Scope<String, ?> s;
            while ((s = outer) == null) {
                Thread.onSpinWait();
            }
            started.await();
            s.cancel("stress canceller");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
