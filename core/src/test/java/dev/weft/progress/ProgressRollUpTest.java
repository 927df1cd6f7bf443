package dev.weft.progress;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ProgressRollUpTest {

    private final Progress parent = Progress.root("parent");

    @Test
    void aChildCountsAtZeroTheMomentItIsCreated() {
        parent.setTotal(1);
        parent.advance();
        assertThat(parent.fraction()).isEqualTo(1.0);

        parent.newChild("late");

        assertThat(parent.fraction()).isEqualTo(0.5);
    }

    @Test
    void aCompletedChildCountsAsFullEvenIfItNeverReported() {
        Progress a = parent.newChild("a");
        parent.newChild("b");

        a.complete();

        assertThat(parent.fraction()).isEqualTo(0.5);
    }

    @Test
    void childrenCountEquallyByDefault() {
        Progress a = parent.newChild("a");
        Progress b = parent.newChild("b");
        a.setTotal(4);
        a.advance(2);
        b.setTotal(4);

        assertThat(parent.fraction()).isEqualTo(0.25);
    }

    @Test
    void aChildCountsInProportionToItsWeight() {
        Progress heavy = parent.newChild("heavy", 3.0);
        parent.newChild("light");

        heavy.complete();

        assertThat(parent.fraction()).isEqualTo(0.75);
    }

    @Test
    void ownUnitsAndWeightedChildrenCombineAsDoneOverTotalPlusWeights() {
        parent.setTotal(2);
        parent.advance(1);
        Progress child = parent.newChild("child", 2.0);
        child.setTotal(2);
        child.advance(1);

        // (done + w * f) / (total + w) = (1 + 2 * 0.5) / (2 + 2)
        assertThat(parent.fraction()).isEqualTo(0.5);
    }

    @Test
    void grandchildrenRollUpThroughTheirParent() {
        Progress child = parent.newChild("child");
        parent.newChild("other");
        Progress grandchild = child.newChild("grandchild");
        child.newChild("sibling");

        grandchild.complete();

        assertThat(child.fraction()).isEqualTo(0.5);
        assertThat(parent.fraction()).isEqualTo(0.25);
    }

    @Test
    void aParentWhoseWorkAndChildrenAreAllCompleteIsAtExactlyOne() {
        parent.setTotal(3);
        parent.advance(3);
        Progress[] children = {parent.newChild("a", 0.1), parent.newChild("b", 0.1), parent.newChild("c", 0.7),
                parent.newChild("d", 1e-9)};

        for (Progress child : children) {
            child.complete();
        }

        assertThat(parent.fraction()).isEqualTo(1.0);
        assertThat(parent.snapshot().complete()).isFalse();
    }

    @Test
    void completingAParentWhoseChildrenAreAllCompleteGivesExactlyOne() {
        Progress a = parent.newChild("a", 0.3);
        Progress b = parent.newChild("b", 0.3);
        a.complete();
        b.complete();

        parent.complete();

        assertThat(parent.snapshot().fraction()).isEqualTo(1.0);
        assertThat(parent.snapshot().complete()).isTrue();
    }

    @Test
    void aCompleteParentIsAtOneWhateverItsChildrenReport() {
        parent.newChild("unfinished");

        parent.complete();

        assertThat(parent.fraction()).isEqualTo(1.0);
    }

    @Test
    void childrenAreListedInCreationOrderWithTheirWeights() {
        Progress a = parent.newChild("a");
        Progress b = parent.newChild("b", 2.5);

        assertThat(parent.children()).containsExactly(a, b);
        assertThat(b.name()).isEqualTo("b");
        assertThat(b.weight()).isEqualTo(2.5);
        assertThat(a.weight()).isEqualTo(1.0);
    }
}
