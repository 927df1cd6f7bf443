package dev.weft.stress.progress;

import dev.weft.progress.Progress;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJ_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Race: one thread advances a node twice, growing its total in between; another takes two snapshots in a row.
 * The second snapshot must never show less done than the first (no stale read after a fresh one, no lost
 * advance overwritten by the total update).
 *
 * <p>Run: {@code ./weft stress -m quick -t DoneNeverGoesBackwards}
 */
@JCStressTest
@Outcome(id = {"0, 0", "1, 1", "2, 2"}, expect = ACCEPTABLE, desc = "Both snapshots between the same updates.")
@Outcome(id = {"0, 1", "0, 2", "1, 2"}, expect = ACCEPTABLE, desc = "An advance landed between the two snapshots.")
@Outcome(expect = FORBIDDEN, desc = "The second snapshot saw less done than the first, or an impossible count.")
@State
public class DoneNeverGoesBackwards {

    private final Progress progress = Progress.root("stress");

    @Actor
    public void advanceTwice() {
        progress.advance();
        progress.addTotal(1);
        progress.advance();
    }

    @Actor
    public void snapshotTwice(JJ_Result r) {
        r.r1 = progress.snapshot().done();
        r.r2 = progress.snapshot().done();
    }
}
