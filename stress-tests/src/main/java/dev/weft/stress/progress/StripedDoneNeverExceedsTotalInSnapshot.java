package dev.weft.stress.progress;

import dev.weft.internal.ProgressInternals;
import dev.weft.progress.Progress;
import dev.weft.progress.ProgressSnapshot;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJ_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Race: the striped twin of {@link DoneNeverExceedsTotalInSnapshot}. On a node whose done is striped over cells
 * (so an advance adds to a cell and leaves the total in the counts word alone), one thread adds 3 to the total,
 * then advances by 5; another takes a snapshot. The reader sums the cells and reports max(total, done) as the
 * total: every snapshot must still have done &lt;= total, with the same outcomes as an unstriped node.
 *
 * <p>Run: {@code ./weft stress -m quick -t StripedDoneNeverExceedsTotalInSnapshot}
 */
@JCStressTest
@Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "Snapshot before both updates.")
@Outcome(id = "0, 3", expect = ACCEPTABLE, desc = "Snapshot after addTotal(3), before advance(5).")
@Outcome(id = "5, 5", expect = ACCEPTABLE, desc = "Snapshot after advance(5), which raised the total to 5.")
@Outcome(expect = FORBIDDEN, desc = "done > total, or a count that no interleaving produces.")
@State
public class StripedDoneNeverExceedsTotalInSnapshot {

    private final Progress progress = Progress.root("stress");

    public StripedDoneNeverExceedsTotalInSnapshot() {
        ProgressInternals.stripe(progress);
    }

    @Actor
    public void growTotalThenAdvancePastIt() {
        progress.addTotal(3);
        progress.advance(5);
    }

    @Actor
    public void observe(JJ_Result r) {
        ProgressSnapshot s = progress.snapshot();
        r.r1 = s.done();
        r.r2 = s.total();
    }
}
