package dev.weft.stress.progress;

import dev.weft.progress.Progress;
import dev.weft.progress.ProgressState;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Race: a parent has two children of weight 1, one at 1 of 4 and one at 0 of 1. One thread ends the first FAILED,
 * which freezes it at 0.25 and folds it into the parent (out of the running children, into the folded sums);
 * another reads the parent's fraction and then its running children. Whether the reader sees the child running,
 * ended but not yet folded, or folded, it must count it exactly once, at 0.25: the fraction is always
 * (0.25 + 0) / 2. Counting it twice or not at all would move the fraction.
 *
 * <p>Results: r1 = 1 if the fraction was exactly 0.125, else 0; r2 = the number of running children seen after.
 *
 * <p>Run: {@code ./weft stress -m quick -t EndingAChildNeverMovesItsParentsFraction}
 */
@JCStressTest
@Outcome(id = "1, 2", expect = ACCEPTABLE, desc = "The child was still held when the children were read.")
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "The child had been folded and released.")
@Outcome(expect = FORBIDDEN, desc = "The ending child was counted twice, or not at all.")
@State
public class EndingAChildNeverMovesItsParentsFraction {

    private final Progress parent = Progress.root("stress");
    private final Progress ending = parent.newChild("ending");

    public EndingAChildNeverMovesItsParentsFraction() {
        parent.newChild("idle").setTotal(1);
        ending.setTotal(4);
        ending.advance(1);
    }

    @Actor
    public void end() {
        ending.end(ProgressState.FAILED);
    }

    @Actor
    public void read(II_Result r) {
        r.r1 = parent.fraction() == 0.125 ? 1 : 0;
        r.r2 = parent.children().size();
    }
}
