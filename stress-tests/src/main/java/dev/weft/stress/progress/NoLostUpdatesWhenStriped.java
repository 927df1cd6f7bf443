package dev.weft.stress.progress;

import dev.weft.internal.ProgressInternals;
import dev.weft.progress.Progress;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJ_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Race: the striped twin of {@link NoLostUpdatesUnderConcurrentAdvances}. On a node whose done is striped over
 * cells, two threads advance (by 1 and by 2; they may hash to the same cell, whose CAS must then retry
 * elsewhere, not overwrite), and the second then grows the total by 10, which computes from the summed done.
 * Once both are done the node must hold done = 3 and total = 110.
 *
 * <p>Run: {@code ./weft stress -m quick -t NoLostUpdatesWhenStriped}
 */
@JCStressTest
@Outcome(id = "3, 110", expect = ACCEPTABLE, desc = "Every advance and the total increment were counted.")
@Outcome(expect = FORBIDDEN, desc = "An update was lost or counts were corrupted.")
@State
public class NoLostUpdatesWhenStriped {

    private final Progress progress = Progress.root("stress");

    public NoLostUpdatesWhenStriped() {
        progress.setTotal(100);
        ProgressInternals.stripe(progress);
    }

    @Actor
    public void advanceByOne() {
        progress.advance(1);
    }

    @Actor
    public void advanceByTwoThenGrowTotal() {
        progress.advance(2);
        progress.addTotal(10);
    }

    @Arbiter
    public void observe(JJ_Result r) {
        var s = progress.snapshot();
        r.r1 = s.done();
        r.r2 = s.total();
    }
}
