package dev.weft.stress.progress;

import dev.weft.progress.Progress;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JI_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Actions of a thread before an update happen-before the actions of a thread after a snapshot that sees that
 * update (docs/progress.md, {@link Progress}'s memory effects), on a node counting in its word ({@link Plain}).
 *
 * <p>The race: one actor writes a plain field and then advances the node; the other takes a snapshot and then
 * reads the field. A snapshot that counts the advance but a read that misses the write ({@code 1, 0}) would
 * break the promise: a page that shows a job's step as done could not trust the result that step stored.
 *
 * <p>Run: {@code ./weft stress -m sanity -t SnapshotThatSeesAnAdvanceSeesWhatCameBefore} (or {@code -m quick} to
 * hunt).
 */
public final class SnapshotThatSeesAnAdvanceSeesWhatCameBefore {

    private SnapshotThatSeesAnAdvanceSeesWhatCameBefore() {
    }

    /** The node and the plain field. */
    abstract static class Race {
        final Progress node = Progress.root("stress");
        int stored;

        void storeThenAdvance() {
            stored = 42;
            node.advance();
        }

        void snapshotThenRead(JI_Result r) {
            r.r1 = node.snapshot().done();
            r.r2 = stored;
        }
    }

    /** A node whose done is in its word (one thread at a time has updated it). */
    @JCStressTest
    @Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "the snapshot came before the advance")
    @Outcome(id = "0, 42", expect = ACCEPTABLE_INTERESTING, desc = "the snapshot missed the advance, the read saw the write")
    @Outcome(id = "1, 42", expect = ACCEPTABLE, desc = "the snapshot saw the advance and the read the write before it")
    @Outcome(expect = FORBIDDEN, desc = "the snapshot saw the advance but the read missed the write before it")
    @State
    public static class Plain extends Race {
        @Actor
        public void writer() {
            storeThenAdvance();
        }

        @Actor
        public void reader(JI_Result r) {
            snapshotThenRead(r);
        }
    }
}
