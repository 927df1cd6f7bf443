package dev.weft.stress.scope;

import dev.weft.scope.CancellationReason;
import dev.weft.scope.Join;
import dev.weft.scope.JoinState;
import dev.weft.scope.Scope;
import dev.weft.scope.ScopeCancelledException;
import dev.weft.scope.ScopeFailedException;
import dev.weft.scope.ScopeTimeoutException;
import dev.weft.scope.Task;
import dev.weft.time.ManualTimeSource;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LL_Result;

import java.time.Duration;

/**
 * A scope's stop reason is set exactly once, and its join outcome agrees with it.
 *
 * <p>The race: the owner actor opens a scope (deadline 1 ns on a {@link ManualTimeSource}) whose policy stops it
 * on the first completion, and forks a task that succeeds (reason {@code OUTCOME_DECIDED}) and one that fails
 * ({@code SIBLING_FAILED}); meanwhile a second actor advances the clock past the deadline ({@code DEADLINE}) and
 * then cancels the scope ({@code EXPLICIT}); two actors only, so that the test also runs on 2-CPU machines
 * (jcstress skips tests with more actors than CPUs). Only public operations that any thread may call race with the
 * owner. The owner records the reason right after join and what join did; the arbiter re-reads the reason: it
 * must not have changed, and join must match it. An actor that runs before the scope exists has no effect.
 *
 * <p>Run: {@code ./weft stress -m sanity -t ScopeStopReasonSetExactlyOnce} (or {@code -m quick} to hunt).
 */
@JCStressTest
@Outcome(id = "OUTCOME_DECIDED, returned", expect = Expect.ACCEPTABLE, desc = "the successful task stopped the scope first; join returned its answer")
@Outcome(id = "SIBLING_FAILED, ScopeFailedException", expect = Expect.ACCEPTABLE, desc = "the failing task stopped the scope first; join threw the failure")
@Outcome(id = "EXPLICIT, ScopeCancelledException", expect = Expect.ACCEPTABLE, desc = "the explicit cancel won; join threw the cancellation")
@Outcome(id = "DEADLINE, ScopeTimeoutException", expect = Expect.ACCEPTABLE, desc = "the deadline fired first; join threw the timeout")
@Outcome(expect = Expect.FORBIDDEN, desc = "the reason changed after join, no reason was set, or join disagrees with the reason")
@State
public class ScopeStopReasonSetExactlyOnce {

    private final ManualTimeSource time = new ManualTimeSource();
    private volatile Scope<String, String> scope;
    private String reasonAtJoin;

    /** Stops the scope on the first task that completes, whichever way. */
    static final class FirstCompletionDecides implements Join<String, String> {
        @Override
        public boolean onComplete(Task<? extends String> task) {
            return true;
        }

        @Override
        public String result(JoinState<String> state) {
            if (state.deadlineExpired()) {
                throw state.timeout();
            }
            if (state.stopReason().map(r -> r.kind() == CancellationReason.Kind.SIBLING_FAILED).orElse(false)) {
                throw state.failure();
            }
            return "returned";
        }
    }

    @Actor
    public void owner(LL_Result r) {
        try (var s = Scope.named("race").timeSource(time).deadline(Duration.ofNanos(1)).open(new FirstCompletionDecides())) {
            scope = s;
            s.fork("ok", () -> "v");
            s.fork("bad", () -> {
                throw new IllegalStateException("bad");
            });
            try {
                r.r2 = s.join();
            } catch (ScopeFailedException | ScopeCancelledException | ScopeTimeoutException e) {
                r.r2 = e.getClass().getSimpleName();
            } catch (InterruptedException e) {
                r.r2 = "interrupted";
            }
            reasonAtJoin = s.cancellationReason().map(c -> c.kind().name()).orElse("none");
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
        if (scope == null) {
            r.r1 = "no scope"; // the owner failed before opening: FORBIDDEN, with its exception in r2
            return;
        }
        String now = scope.cancellationReason().map(c -> c.kind().name()).orElse("none");
        r.r1 = now.equals(reasonAtJoin) ? now : reasonAtJoin + "->" + now;
    }
}
