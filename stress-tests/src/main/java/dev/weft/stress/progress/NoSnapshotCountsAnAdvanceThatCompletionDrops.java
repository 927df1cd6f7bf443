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
 * Race: on a node whose done is striped over cells, one thread completes the node and then advances it (an
 * advance of a complete node, which must be ignored; on a striped node it still lands in a cell, which no
 * reader may count any more); another thread takes a snapshot. If the snapshot read the counts word before the
 * completion and summed the cells after that late advance, it would report a done that the final counts (read
 * by the arbiter, after both) do not have: done would go back. A snapshot's validation (word, cells, word
 * again) prevents it: every outcome must be 0.
 *
 * <p>Results: r1 = done of the snapshot; r2 = done after both actors (the arbiter).
 *
 * <p>Run: {@code ./weft stress -m quick -t NoSnapshotCountsAnAdvanceThatCompletionDrops}
 */
@JCStressTest
@Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "The advance of the complete node was ignored, by every reader.")
@Outcome(expect = FORBIDDEN, desc = "A snapshot counted the advance that completion ignores (done went back), or it was counted.")
@State
public class NoSnapshotCountsAnAdvanceThatCompletionDrops {

    private final Progress progress = Progress.root("stress");

    public NoSnapshotCountsAnAdvanceThatCompletionDrops() {
        ProgressInternals.stripe(progress);
    }

    @Actor
    public void completeThenAdvance() {
        progress.complete();
        progress.advance();
    }

    @Actor
    public void snapshot(JJ_Result r) {
        r.r1 = progress.snapshot().done();
    }

    @Arbiter
    public void observe(JJ_Result r) {
        r.r2 = progress.snapshot().done();
    }
}
