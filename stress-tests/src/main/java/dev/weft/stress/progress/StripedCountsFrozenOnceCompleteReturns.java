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
 * Race: on a node whose done is striped over cells, one thread advances by 2 while another completes the node
 * and at once takes a snapshot. The advance may count or not (it raced with completion), but the counts are
 * frozen once complete() returns: the completing thread's snapshot and the one taken after both actors must
 * agree, and show a complete node.
 *
 * <p>Results: r1 = done seen right after complete() returned (-1 if that snapshot was not complete);
 * r2 = done after both actors (the arbiter).
 *
 * <p>Run: {@code ./weft stress -m quick -t StripedCountsFrozenOnceCompleteReturns}
 */
@JCStressTest
@Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "The advance came too late: ignored, as on a complete node.")
@Outcome(id = "2, 2", expect = ACCEPTABLE, desc = "The advance landed before the final counts were taken.")
@Outcome(expect = FORBIDDEN, desc = "The counts changed after complete() returned, or the node was not complete.")
@State
public class StripedCountsFrozenOnceCompleteReturns {

    private final Progress progress = Progress.root("stress");

    public StripedCountsFrozenOnceCompleteReturns() {
        ProgressInternals.stripe(progress);
    }

    @Actor
    public void advance() {
        progress.advance(2);
    }

    @Actor
    public void completeThenSnapshot(JJ_Result r) {
        progress.complete();
        var s = progress.snapshot();
        r.r1 = s.complete() ? s.done() : -1;
    }

    @Arbiter
    public void observe(JJ_Result r) {
        var s = progress.snapshot();
        r.r2 = s.complete() ? s.done() : -1;
    }
}
