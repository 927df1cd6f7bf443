package dev.weft.stress.time;

import dev.weft.time.ManualTimeSource;
import dev.weft.time.TimeSource;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZII_Result;

import java.time.Duration;

/**
 * When {@link TimeSource.Timer#cancel()} returns, the timer's action either has not run and never will, or has
 * finished running (the {@code Timer} contract), on {@link ManualTimeSource}, whose {@code advance} runs due
 * actions on the advancing thread.
 *
 * <p>The race: a timer due at 1 ns whose action marks that it started, spins briefly and marks that it finished.
 * One actor advances the clock by 1 ns (running the action), the other cancels the timer and at once reads the
 * mark; the arbiter reads it again. A cancel that returned while the action was still running shows as
 * {@code false, 1, 2} (or {@code false, 0, 2} if it returned even before the action began). Before
 * {@code ManualTimeSource}'s cancel waited for a running action, it answered {@code false} at once.
 *
 * <p>Run: {@code ./weft stress -m sanity -t TimerCancelReturnsOnlyAfterItsActionEnded} (or {@code -m quick} to
 * hunt).
 */
@JCStressTest
@Outcome(id = "true, 0, 0", expect = Expect.ACCEPTABLE, desc = "the cancel came first: the action never ran")
@Outcome(id = "false, 2, 2", expect = Expect.ACCEPTABLE, desc = "the action ran, and cancel returned only after it finished")
@Outcome(expect = Expect.FORBIDDEN, desc = "cancel returned while the action was running or before it ran, or the action ran after a cancel that won")
@State
public class TimerCancelReturnsOnlyAfterItsActionEnded {

    private static final int STARTED = 1, FINISHED = 2;

    private final ManualTimeSource time = new ManualTimeSource();
    /** 0, then STARTED and FINISHED as the action runs. */
    private volatile int mark;
    private final TimeSource.Timer timer = time.schedule(1, () -> {
        mark = STARTED;
        for (int i = 0; i < 100; i++) {
            Thread.onSpinWait();
        }
        mark = FINISHED;
    });

    @Actor
    public void advance() {
        time.advance(Duration.ofNanos(1));
    }

    @Actor
    public void cancel(ZII_Result r) {
        r.r1 = timer.cancel();
        r.r2 = mark;
    }

    @Arbiter
    public void arbiter(ZII_Result r) {
        r.r3 = mark;
    }
}
