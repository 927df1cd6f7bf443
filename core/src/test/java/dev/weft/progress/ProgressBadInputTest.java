package dev.weft.progress;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProgressBadInputTest {

    private final Progress progress = Progress.root("job");

    ProgressBadInputTest() {
        progress.setTotal(10);
        progress.advance(4);
    }

    @Test
    void aNegativeAdvanceIsRejectedAndLeavesTheCountsAlone() {
        assertThatThrownBy(() -> progress.advance(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("advance(-1)")
                .hasMessageContaining("zero or positive");

        assertCountsUnchanged();
    }

    @Test
    void aNegativeAddTotalIsRejectedAndLeavesTheCountsAlone() {
        assertThatThrownBy(() -> progress.addTotal(-3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("addTotal(-3)")
                .hasMessageContaining("zero or positive");

        assertCountsUnchanged();
    }

    @Test
    void aTotalBelowDoneIsRejectedAndLeavesTheCountsAlone() {
        assertThatThrownBy(() -> progress.setTotal(3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("setTotal(3)")
                .hasMessageContaining("at least done (4)");

        assertCountsUnchanged();
    }

    @Test
    void aTotalAboveMaxUnitsIsRejectedAndLeavesTheCountsAlone() {
        assertThatThrownBy(() -> progress.setTotal(Progress.MAX_UNITS + 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(String.valueOf(Progress.MAX_UNITS));

        assertCountsUnchanged();
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.0, -1.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY})
    void aWeightThatIsNotPositiveAndFiniteIsRejectedAndAddsNoChild(double weight) {
        assertThatThrownBy(() -> progress.newChild("child", weight))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("weight of child 'child' was " + weight)
                .hasMessageContaining("positive finite number");

        assertThat(progress.children()).isEmpty();
        assertCountsUnchanged();
    }

    @Test
    void aNullRootNameIsRejected() {
        assertThatThrownBy(() -> Progress.root(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("name is null")
                .hasMessageContaining("non-null name");
    }

    @Test
    void aNullChildNameIsRejectedAndAddsNoChild() {
        assertThatThrownBy(() -> progress.newChild(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("name is null");

        assertThat(progress.children()).isEmpty();
    }

    @Test
    void aNullTimeSourceIsRejected() {
        assertThatThrownBy(() -> Progress.root("job", null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("time is null");
    }

    @Test
    void aMinIntervalThatIsNotPositiveIsRejectedAndStartsNoDelivery() {
        assertThatThrownBy(() -> progress.subscribe(Duration.ZERO, s -> { }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("minInterval was PT0S")
                .hasMessageContaining("must be positive");

        assertThat(progress.subscriptionCount()).isZero();
    }

    private void assertCountsUnchanged() {
        ProgressSnapshot s = progress.snapshot();
        assertThat(s.done()).isEqualTo(4);
        assertThat(s.total()).isEqualTo(10);
        assertThat(s.complete()).isFalse();
    }
}
