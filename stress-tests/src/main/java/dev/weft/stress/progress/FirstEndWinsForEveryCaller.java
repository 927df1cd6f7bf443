package dev.weft.stress.progress;

import dev.weft.progress.Progress;
import dev.weft.progress.ProgressState;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Race: a child at 1 of 4 is completed by one thread and ended FAILED by another. Exactly one end wins, and every
 * caller, once its call returned, sees the winner's state; the parent counts the child once, as the winner says:
 * 1.0 if it SUCCEEDED, its 0.25 of work if it FAILED.
 *
 * <p>Results: r1, r2 = the state each actor saw after its call (1 = SUCCEEDED, 2 = FAILED, 0 = anything else);
 * r3 = the state after both; r4 = 1 if the parent's fraction then matches the winner (1.0 or 0.25) and it holds
 * no running child, else 0.
 *
 * <p>Run: {@code ./weft stress -m quick -t FirstEndWinsForEveryCaller}
 */
@JCStressTest
@Outcome(id = "1, 1, 1, 1", expect = ACCEPTABLE, desc = "complete() won; both callers and the parent agree.")
@Outcome(id = "2, 2, 2, 1", expect = ACCEPTABLE, desc = "end(FAILED) won; both callers and the parent agree.")
@Outcome(expect = FORBIDDEN, desc = "Callers disagree on the state, the state changed, or the parent counted it wrong.")
@State
public class FirstEndWinsForEveryCaller {

    private final Progress parent = Progress.root("stress");
    private final Progress child = parent.newChild("child");

    public FirstEndWinsForEveryCaller() {
        child.setTotal(4);
        child.advance(1);
    }

    @Actor
    public void complete(IIII_Result r) {
        child.complete();
        r.r1 = code(child.state());
    }

    @Actor
    public void fail(IIII_Result r) {
        child.end(ProgressState.FAILED);
        r.r2 = code(child.state());
    }

    @Arbiter
    public void observe(IIII_Result r) {
        ProgressState state = child.state();
        r.r3 = code(state);
        double expected = state == ProgressState.SUCCEEDED ? 1.0 : 0.25;
        r.r4 = parent.fraction() == expected && parent.children().isEmpty() && child.fraction() == expected ? 1 : 0;
    }

    private static int code(ProgressState state) {
        return switch (state) {
            case SUCCEEDED -> 1;
            case FAILED -> 2;
            default -> 0;
        };
    }
}
