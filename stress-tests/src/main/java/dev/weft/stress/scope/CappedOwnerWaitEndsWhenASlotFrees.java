package dev.weft.stress.scope;

import dev.weft.scope.Join;
import dev.weft.scope.Scope;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LL_Result;

import java.util.List;

/**
 * An owner waiting for a run slot under a cap is woken by the task that frees it: the wait neither misses the
 * wake-up (a hang, which jcstress reports as an error) nor takes a slot twice (Scope.fork; issue 20 item 1).
 *
 * <p>The race: under {@code maxConcurrency(1)}, the owner actor forks a first task and then a second, whose fork
 * waits for the first's slot; the first task waits until the second actor lets it go, so its exit races with the
 * owner registering its wait. A task forked by the first task is queued too and must be started by the waiting
 * owner. The arbiter reports join's result and how many bodies ran.
 *
 * <p>Run: {@code ./weft stress -m sanity -t CappedOwnerWaitEndsWhenASlotFrees} (or {@code -m quick} to hunt).
 */
@JCStressTest
@Outcome(id = "[1, 2, 3], 3", expect = Expect.ACCEPTABLE, desc = "the owner woke for each freed slot and started every task")
@Outcome(expect = Expect.FORBIDDEN, desc = "a task was lost, ran twice, or join failed")
@State
public class CappedOwnerWaitEndsWhenASlotFrees {

    private volatile boolean release;
    private final java.util.concurrent.atomic.AtomicInteger ran = new java.util.concurrent.atomic.AtomicInteger();
    private volatile String joined = "join not reached";

    @Actor
    public void owner() {
        try (var s = Scope.named("capped").maxConcurrency(1).open(Join.<Integer>allSuccessful())) {
            s.fork("first", () -> {
                s.fork("third", () -> {
                    ran.incrementAndGet();
                    return 3;
                });
                while (!release) {
                    Thread.onSpinWait();
                }
                ran.incrementAndGet();
                return 1;
            });
            s.fork("second", () -> {
                ran.incrementAndGet();
                return 2;
            });
            List<Integer> values = s.join();
            joined = values.stream().sorted().toList().toString(); // fork order of second and third races
        } catch (Throwable e) {
            joined = "owner threw " + e;
        }
    }

    @Actor
    public void releaser() {
        release = true;
    }

    @Arbiter
    public void arbiter(LL_Result r) {
        r.r1 = joined;
        r.r2 = ran.get();
    }
}
