package dev.weft.stress.progress;

import dev.weft.internal.ProgressInternals;
import dev.weft.progress.Progress;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJJ_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Race: on a node whose done is striped over cells (as after contention), one thread advances and then completes
 * the node; another takes two snapshots in a row. Completion sums the cells into the final counts while the
 * reader may be summing them too: the second snapshot must never show less done than the first (the final done
 * includes every add a snapshot has counted), and the advance, which happened before complete() in its thread,
 * must be in the final counts.
 *
 * <p>Results: r1, r2 = done of the two snapshots; r3 = done after both actors (the arbiter).
 *
 * <p>Run: {@code ./weft stress -m quick -t StripedDoneNeverGoesBackwardsAcrossCompletion}
 */
@JCStressTest
@Outcome(id = {"0, 0, 1", "1, 1, 1"}, expect = ACCEPTABLE, desc = "Both snapshots between the same updates.")
@Outcome(id = "0, 1, 1", expect = ACCEPTABLE, desc = "The advance landed between the two snapshots.")
@Outcome(expect = FORBIDDEN, desc = "A snapshot saw less done than an earlier one, or the final counts lost the advance.")
@State
public class StripedDoneNeverGoesBackwardsAcrossCompletion {

    private final Progress progress = Progress.root("stress");

    public StripedDoneNeverGoesBackwardsAcrossCompletion() {
        ProgressInternals.stripe(progress);
    }

    @Actor
    public void advanceThenComplete() {
        progress.advance();
        progress.complete();
    }

    @Actor
    public void snapshotTwice(JJJ_Result r) {
        r.r1 = progress.snapshot().done();
        r.r2 = progress.snapshot().done();
    }

    @Arbiter
    public void observe(JJJ_Result r) {
        r.r3 = progress.snapshot().done();
    }
}
