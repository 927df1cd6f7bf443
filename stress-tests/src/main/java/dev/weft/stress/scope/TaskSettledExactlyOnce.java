package dev.weft.stress.scope;

import dev.weft.scope.Join;
import dev.weft.scope.Outcome;
import dev.weft.scope.Scope;
import dev.weft.scope.ScopeCancelledException;
import dev.weft.scope.Task;
import dev.weft.time.ManualTimeSource;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome.Outcomes;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LL_Result;

import java.time.Duration;

/**
 * A task's terminal state is set exactly once, by the first of its completion, its own timeout and its scope's
 * cancellation, and never changes after.
 *
 * <p>The race: the owner actor forks one task (own timeout 1 ns on a {@link ManualTimeSource}) that returns at
 * once, and joins under {@code allSettled}; a second actor advances the clock (the timeout timer settles the task
 * TIMED_OUT) and then cancels the scope (two actors, so that it runs on 2-CPU machines). The owner records the task's state after join and what join reported;
 * the arbiter re-reads the state, which must be unchanged and agree with join.
 *
 * <p>Run: {@code ./weft stress -m sanity -t TaskSettledExactlyOnce} (or {@code -m quick} to hunt).
 */
@JCStressTest
@Outcomes({
        @org.openjdk.jcstress.annotations.Outcome(id = "SUCCEEDED, Success", expect = Expect.ACCEPTABLE, desc = "the task completed first; join reported its value"),
        @org.openjdk.jcstress.annotations.Outcome(id = "TIMED_OUT, TimedOut", expect = Expect.ACCEPTABLE, desc = "the task's timeout fired first; join reported it timed out"),
        @org.openjdk.jcstress.annotations.Outcome(id = "SUCCEEDED, ScopeCancelledException", expect = Expect.ACCEPTABLE, desc = "the task completed, then the scope was cancelled before join finished"),
        @org.openjdk.jcstress.annotations.Outcome(id = "TIMED_OUT, ScopeCancelledException", expect = Expect.ACCEPTABLE, desc = "the task timed out, then the scope was cancelled before join finished"),
        @org.openjdk.jcstress.annotations.Outcome(id = "CANCELLED, ScopeCancelledException", expect = Expect.ACCEPTABLE, desc = "the cancellation settled the task first"),
        @org.openjdk.jcstress.annotations.Outcome(expect = Expect.FORBIDDEN, desc = "the state changed after join, or join disagrees with it")
})
@State
public class TaskSettledExactlyOnce {

    private final ManualTimeSource time = new ManualTimeSource();
    private volatile Scope<Integer, ?> scope;
    private Task<Integer> task;
    private String stateAtJoin;

    @Actor
    public void owner(LL_Result r) {
        try (var s = Scope.named("settle").timeSource(time).open(Join.<Integer>allSettled())) {
            scope = s;
            task = s.fork("t", Duration.ofNanos(1), () -> 1);
            try {
                Outcome<Integer> o = s.join().getFirst();
                r.r2 = o.getClass().getSimpleName();
            } catch (ScopeCancelledException e) {
                r.r2 = "ScopeCancelledException";
            } catch (InterruptedException e) {
                r.r2 = "interrupted";
            }
            stateAtJoin = task.state().name();
        } catch (RuntimeException | Error e) {
            r.r2 = "owner threw " + e; // not an allowed outcome: surfaces as FORBIDDEN with the exception
        }
    }

    /** Any thread: fires the deadline/timeout (if armed yet), then cancels (if the scope exists yet). */
    @Actor
    public void outsider() {
        time.advance(Duration.ofNanos(1));
        var s = scope;
        if (s != null) {
            s.cancel("stress canceller");
        }
    }

    @Arbiter
    public void arbiter(LL_Result r) {
        if (task == null) {
            r.r1 = "no task"; // the owner failed before forking: FORBIDDEN, with its exception in r2
            return;
        }
        String now = task.state().name();
        r.r1 = now.equals(stateAtJoin) ? now : stateAtJoin + "->" + now;
    }
}
