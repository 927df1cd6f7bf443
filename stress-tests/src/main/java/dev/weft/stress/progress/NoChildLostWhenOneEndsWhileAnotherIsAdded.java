package dev.weft.stress.progress;

import dev.weft.progress.Progress;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Race: one thread completes a child, which folds it out of its parent's running children, while another adds a
 * new child to the same parent. Both change the parent's children by CAS; neither may undo the other: afterwards
 * the parent holds exactly the new child, and its fraction counts the completed one as 1.0 and the new one as 0.
 *
 * <p>Results: r1 = running children after both; r2 = 1 if the new child is the one held and the parent's fraction
 * is exactly 0.5, else 0.
 *
 * <p>Run: {@code ./weft stress -m quick -t NoChildLostWhenOneEndsWhileAnotherIsAdded}
 */
@JCStressTest
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "The completed child was folded and the new one kept.")
@Outcome(expect = FORBIDDEN, desc = "A child was lost, kept after it ended, or counted wrong.")
@State
public class NoChildLostWhenOneEndsWhileAnotherIsAdded {

    private final Progress parent = Progress.root("stress");
    private final Progress done = parent.newChild("done");
    private volatile Progress added;

    @Actor
    public void complete() {
        done.complete();
    }

    @Actor
    public void add() {
        added = parent.newChild("added");
    }

    @Arbiter
    public void observe(II_Result r) {
        r.r1 = parent.children().size();
        r.r2 = parent.children().equals(java.util.List.of(added)) && parent.fraction() == 0.5 ? 1 : 0;
    }
}
