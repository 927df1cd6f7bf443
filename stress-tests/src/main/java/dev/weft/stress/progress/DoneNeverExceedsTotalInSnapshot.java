package dev.weft.stress.progress;

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
 * Race: one thread adds 3 to the total of a fresh node, then advances it by 5 (which must raise the total to 5
 * with it); another takes a snapshot meanwhile. If done and total were separate fields, the reader could see
 * the new done with an old total (5/3 or 5/0). Every snapshot must have done &lt;= total. (Two actors: jcstress
 * skips tests with more actors than the machine has CPUs.)
 *
 * <p>Run: {@code ./weft stress -m quick -t DoneNeverExceedsTotalInSnapshot}
 */
@JCStressTest
@Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "Snapshot before both updates.")
@Outcome(id = "0, 3", expect = ACCEPTABLE, desc = "Snapshot after addTotal(3), before advance(5).")
@Outcome(id = "5, 5", expect = ACCEPTABLE, desc = "Snapshot after advance(5), which raised the total from 3 to 5.")
@Outcome(expect = FORBIDDEN, desc = "done > total, or a count that no interleaving produces: done and total torn apart.")
@State
public class DoneNeverExceedsTotalInSnapshot {

    private final Progress progress = Progress.root("stress");

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
