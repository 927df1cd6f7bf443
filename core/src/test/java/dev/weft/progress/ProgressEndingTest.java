package dev.weft.progress;

import dev.weft.time.ManualTimeSource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How a node ends: the fraction is the work done, the state says how it ended, and an ended child is folded. */
class ProgressEndingTest {

    private final ManualTimeSource time = new ManualTimeSource();
    private final Progress root = Progress.root("job", time);

    @Test
    void aNodeThatFailsAtThreeOfAHundredReportsThreePercentNotComplete() {
        root.setTotal(100);
        root.advance(3);

        root.end(ProgressState.FAILED);

        ProgressSnapshot s = root.snapshot();
        assertThat(s.fraction()).isEqualTo(0.03);
        assertThat(s.complete()).isFalse();
        assertThat(s.state()).isEqualTo(ProgressState.FAILED);
        assertThat(s.eta()).isEmpty();
        assertThat(root.isComplete()).isFalse();
        assertThat(root.state()).isEqualTo(ProgressState.FAILED);
        assertThat(root).hasToString("Progress[job 3/100 FAILED]");
    }

    @Test
    void cancelledAndTimedOutNodesKeepTheirWorkDoneToo() {
        Progress cancelled = root.newChild("cancelled");
        Progress timedOut = root.newChild("timedOut");
        cancelled.setTotal(4);
        cancelled.advance(1);
        timedOut.setTotal(8);
        timedOut.advance(6);

        cancelled.end(ProgressState.CANCELLED);
        timedOut.end(ProgressState.TIMED_OUT);

        assertThat(cancelled.snapshot().fraction()).isEqualTo(0.25);
        assertThat(cancelled.snapshot().state()).isEqualTo(ProgressState.CANCELLED);
        assertThat(timedOut.snapshot().fraction()).isEqualTo(0.75);
        assertThat(timedOut.snapshot().state()).isEqualTo(ProgressState.TIMED_OUT);
        assertThat(root.fraction()).isEqualTo(0.5);
    }

    @Test
    void completeMeansAllTheWorkWasDone() {
        root.setTotal(100);
        root.advance(3);

        root.complete();

        ProgressSnapshot s = root.snapshot();
        assertThat(s.fraction()).isEqualTo(1.0);
        assertThat(s.complete()).isTrue();
        assertThat(s.state()).isEqualTo(ProgressState.SUCCEEDED);
        assertThat(s.eta()).contains(Duration.ZERO);
    }

    @Test
    void onlyTheFirstEndCountsAndAnEndedNodeIgnoresUpdates() {
        root.setTotal(10);
        root.advance(2);
        root.end(ProgressState.CANCELLED);

        root.complete();
        root.end(ProgressState.FAILED);
        root.advance(5);
        root.addTotal(3);
        root.setTotal(50);
        root.step("late");

        ProgressSnapshot s = root.snapshot();
        assertThat(s.state()).isEqualTo(ProgressState.CANCELLED);
        assertThat(s.done()).isEqualTo(2);
        assertThat(s.total()).isEqualTo(10);
        assertThat(s.fraction()).isEqualTo(0.2);
        assertThat(s.step()).isNull();
    }

    @Test
    void endRejectsRunningAndNull() {
        assertThatThrownBy(() -> root.end(ProgressState.RUNNING))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("end(RUNNING) on 'job'")
                .hasMessageContaining("SUCCEEDED, FAILED, CANCELLED or TIMED_OUT");
        assertThatThrownBy(() -> root.end(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("state is null");
        assertThat(root.state()).isEqualTo(ProgressState.RUNNING);
    }

    @Test
    void anEndedChildIsFoldedIntoItsParentWithTheWorkItDidAndReleased() {
        Progress failed = root.newChild("failed");
        Progress running = root.newChild("running");
        failed.setTotal(4);
        failed.advance(1);
        running.setTotal(2);
        running.advance(1);

        failed.end(ProgressState.FAILED);

        assertThat(root.children()).containsExactly(running);
        assertThat(root.fraction()).isEqualTo((0.25 + 0.5) / 2);
        running.complete();
        assertThat(root.children()).isEmpty();
        assertThat(root.fraction()).isEqualTo((0.25 + 1.0) / 2);
    }

    @Test
    void completedChildrenFoldedInAnyOrderRollUpToExactlyOne() {
        double[] weights = {0.1, 0.7, 0.2, 0.3, 1e-9, 3.0};
        for (int order = 0; order < weights.length; order++) {
            Progress parent = Progress.root("p" + order, time);
            List<Progress> children = new ArrayList<>();
            for (double w : weights) {
                children.add(parent.newChild("c", w));
            }
            for (int i = 0; i < children.size(); i++) {
                children.get((i + order) % children.size()).complete();
            }
            assertThat(parent.children()).isEmpty();
            assertThat(parent.fraction()).as("order %d", order).isEqualTo(1.0);
        }
    }

    @Test
    void aMillionEndedChildrenLeaveTheParentHoldingNone() {
        for (int i = 0; i < 1_000_000; i++) {
            Progress child = root.newChild("item");
            child.setTotal(2);
            child.advance(i % 2 == 0 ? 2 : 1);
            child.end(i % 2 == 0 ? ProgressState.SUCCEEDED : ProgressState.FAILED);
        }

        assertThat(root.children()).isEmpty();
        assertThat(root.fraction()).isEqualTo(0.75);
    }

    @Test
    void aChildAddedToAnEndedNodeDoesNotChangeItsFraction() {
        root.setTotal(4);
        root.advance(1);
        root.end(ProgressState.FAILED);

        Progress late = root.newChild("late");
        late.complete();

        assertThat(root.fraction()).isEqualTo(0.25);
    }

    @Test
    void aSubscriberGetsTheFailedFinalSnapshotOnce() throws Exception {
        List<ProgressSnapshot> seen = new CopyOnWriteArrayList<>();
        CountDownLatch ended = new CountDownLatch(1);
        root.setTotal(10);
        try (Subscription s = root.subscribe(Duration.ofHours(1), snap -> {
            seen.add(snap);
            if (snap.state().hasEnded()) {
                ended.countDown();
            }
        })) {
            root.advance(4);
            root.end(ProgressState.FAILED);
            assertThat(ended.await(10, TimeUnit.SECONDS)).isTrue();
        }

        assertThat(seen).filteredOn(snap -> snap.state().hasEnded()).hasSize(1);
        ProgressSnapshot last = seen.getLast();
        assertThat(last.state()).isEqualTo(ProgressState.FAILED);
        assertThat(last.fraction()).isEqualTo(0.4);
        assertThat(last.complete()).isFalse();
    }

    @Test
    void aSnapshotIsCompleteExactlyWhenItsStateIsSucceeded() {
        assertThatThrownBy(() -> snapshot(0.5, true, ProgressState.FAILED))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("complete exactly when its state is SUCCEEDED");
        assertThatThrownBy(() -> snapshot(1.0, false, ProgressState.SUCCEEDED))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> snapshot(0.5, false, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("state is null");
        assertThat(snapshot(1.0, false, ProgressState.FAILED).fraction()).isEqualTo(1.0);
    }

    private ProgressSnapshot snapshot(double fraction, boolean complete, ProgressState state) {
        return new ProgressSnapshot("x", 1, 2, fraction, null, null, java.util.OptionalDouble.empty(),
                java.util.Optional.empty(), complete, state, time.instant());
    }
}
