package dev.weft.stress.progress;

import dev.weft.progress.Progress;
import dev.weft.progress.ProgressState;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJ_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Race: one thread advances a node by 2 while another ends it FAILED and at once takes a snapshot. The advance may
 * count or not (it raced with the end), but the counts are frozen once end() returns: the ending thread's snapshot
 * and the one taken after both actors must agree, and both must report the node ended.
 *
 * <p>Results: r1 = done seen right after end() returned (-1 if that snapshot did not report FAILED);
 * r2 = done after both actors (the arbiter), -1 likewise.
 *
 * <p>Run: {@code ./weft stress -m quick -t CountsFrozenOnceEndReturns}
 */
@JCStressTest
@Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "The advance came too late: ignored, as on an ended node.")
@Outcome(id = "2, 2", expect = ACCEPTABLE, desc = "The advance landed before the counts were frozen.")
@Outcome(expect = FORBIDDEN, desc = "The counts changed after end() returned, or a snapshot did not report the end.")
@State
public class CountsFrozenOnceEndReturns {

    private final Progress progress = Progress.root("stress");

    @Actor
    public void advance() {
        progress.advance(2);
    }

    @Actor
    public void endThenSnapshot(JJ_Result r) {
        progress.end(ProgressState.FAILED);
        var s = progress.snapshot();
        r.r1 = s.state() == ProgressState.FAILED ? s.done() : -1;
    }

    @Arbiter
    public void observe(JJ_Result r) {
        var s = progress.snapshot();
        r.r2 = s.state() == ProgressState.FAILED ? s.done() : -1;
    }
}
