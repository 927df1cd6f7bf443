package dev.weft.progress;

import dev.weft.time.ManualTimeSource;
import org.junit.jupiter.api.Test;

import static dev.weft.testing.Waits.runTogether;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A node whose done is striped over cells (as after contention) keeps every guarantee of an unstriped one.
 * The races themselves are in the jcstress suite (dev.weft.stress.progress.Striped*, NoLostUpdatesWhenStriped).
 */
class ProgressStripedTest {

    private final ManualTimeSource time = new ManualTimeSource();
    private final Progress progress = Progress.root("job", time);

    @Test
    void advancesThatContendForTheNodeStripeItAndAreAllCounted() throws Exception {
        assumeTrue(Runtime.getRuntime().availableProcessors() >= 2, "contention needs two processors");
        int perThread = 200_000;
        long expected = 0;
        for (int round = 0; round < 20 && !progress.isStriped(); round++) {
            runTogether(2, () -> {
                for (int i = 0; i < perThread; i++) {
                    progress.advance();
                }
            });
            expected += 2L * perThread;
        }

        assertThat(progress.isStriped()).as("two threads advancing at once stripe the node").isTrue();
        assertThat(progress.snapshot().done()).isEqualTo(expected);
        assertThat(progress.snapshot().total()).isEqualTo(expected);
    }

    @Test
    void everyAdvanceOfManyThreadsOnAStripedNodeIsCounted() throws Exception {
        progress.stripe();
        progress.setTotal(1_000_000);

        runTogether(4, () -> {
            for (int i = 0; i < 50_000; i++) {
                progress.advance(2);
            }
        });

        ProgressSnapshot s = progress.snapshot();
        assertThat(s.done()).isEqualTo(400_000);
        assertThat(s.total()).isEqualTo(1_000_000);
        assertThat(s.fraction()).isEqualTo(0.4);
    }

    @Test
    void advancingPastTheTotalRaisesItAndAddTotalAddsOnTopOfDone() {
        progress.setTotal(3);
        progress.advance(1); // in the counts word: the base of done
        progress.stripe();

        progress.advance(4); // in a cell: 5 done, past the total of 3

        assertThat(progress.snapshot().done()).isEqualTo(5);
        assertThat(progress.snapshot().total()).isEqualTo(5);
        progress.addTotal(2);
        assertThat(progress.snapshot().total()).isEqualTo(7);
        assertThat(progress.fraction()).isEqualTo(5.0 / 7.0);
    }

    @Test
    void setTotalBelowTheStripedDoneIsRejectedAndLeavesTheCountsAlone() {
        progress.stripe();
        progress.setTotal(10);
        progress.advance(6);

        assertThatThrownBy(() -> progress.setTotal(5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("total must be at least done (6)");
        assertThat(progress.snapshot().done()).isEqualTo(6);
        assertThat(progress.snapshot().total()).isEqualTo(10);
        progress.setTotal(6);
        assertThat(progress.snapshot().total()).isEqualTo(6);
    }

    @Test
    void completeFoldsTheCellsIntoFinalCountsThatLaterUpdatesNeverChange() {
        progress.setTotal(10);
        progress.advance(2);
        progress.stripe();
        progress.advance(3);

        progress.complete();
        progress.advance(4);
        progress.addTotal(1);
        progress.setTotal(20);

        ProgressSnapshot s = progress.snapshot();
        assertThat(s.complete()).isTrue();
        assertThat(s.done()).isEqualTo(5);
        assertThat(s.total()).isEqualTo(10);
        assertThat(s.fraction()).isEqualTo(1.0);
        assertThat(progress).hasToString("Progress[job 5/10 complete]");
    }

    @Test
    void stripedDoneSaturatesAtMaxUnits() {
        progress.stripe();

        progress.advance(Progress.MAX_UNITS - 1);
        progress.advance(Progress.MAX_UNITS);
        progress.advance(Progress.MAX_UNITS);

        assertThat(progress.snapshot().done()).isEqualTo(Progress.MAX_UNITS);
        assertThat(progress.snapshot().total()).isEqualTo(Progress.MAX_UNITS);
    }

    @Test
    void aStripedChildRollsUpIntoItsParent() {
        Progress child = progress.newChild("child");
        child.stripe();
        child.setTotal(4);

        child.advance(2);

        assertThat(progress.fraction()).isEqualTo(0.5);
        child.complete();
        assertThat(progress.fraction()).isEqualTo(1.0);
    }

    @Test
    void stripingIsDoneOnceAndKeepsItsCells() {
        long[] first = progress.stripe();

        assertThat(progress.stripe()).isSameAs(first);
    }
}
