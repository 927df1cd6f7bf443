package dev.weft.progress;

import dev.weft.time.ManualTimeSource;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ProgressRateTest {

    private final ManualTimeSource time = new ManualTimeSource();
    private final Progress progress = Progress.root("job", time);

    @Test
    void rateAndEtaAreEmptyBeforeTheFirstSamplePeriodHasPassed() {
        progress.setTotal(100);
        progress.advance(10);
        time.advance(Duration.ofMillis(50));

        ProgressSnapshot s = progress.snapshot();

        assertThat(s.rate()).isEmpty();
        assertThat(s.eta()).isEmpty();
    }

    @Test
    void theFirstRateIsTheUnitsPerSecondOverTheFirstPeriod() {
        progress.setTotal(100);
        progress.advance(10);
        time.advance(Duration.ofSeconds(1));

        assertThat(progress.snapshot().rate()).hasValue(10.0);
    }

    @Test
    void laterRatesAreSmoothedOverTime() {
        progress.advance(10);
        time.advance(Duration.ofSeconds(1));
        progress.snapshot();
        progress.advance(30);
        time.advance(Duration.ofSeconds(1));

        double alpha = 1 - Math.exp(-1.0 / RateEstimate.TAU_SECONDS);
        assertThat(progress.snapshot().rate().orElseThrow()).isCloseTo(10 + alpha * (30 - 10), within(1e-9));
    }

    @Test
    void snapshotsCloserThanTheSamplePeriodKeepTheLastEstimate() {
        progress.advance(10);
        time.advance(Duration.ofSeconds(1));
        progress.snapshot();
        progress.advance(1_000);
        time.advance(Duration.ofMillis(10));

        assertThat(progress.snapshot().rate()).hasValue(10.0);
    }

    @Test
    void etaIsTheRemainingWorkOverTheRate() {
        progress.setTotal(100);
        progress.advance(10);
        time.advance(Duration.ofSeconds(1));

        assertThat(progress.snapshot().eta()).hasValue(Duration.ofSeconds(9));
    }

    @Test
    void etaIsEmptyWhileNothingHasMoved() {
        progress.setTotal(100);
        time.advance(Duration.ofSeconds(1));

        ProgressSnapshot s = progress.snapshot();

        assertThat(s.rate()).hasValue(0.0);
        assertThat(s.eta()).isEmpty();
    }

    @Test
    void aParentGetsAnEtaFromItsChildrenAlone() {
        Progress a = progress.newChild("a");
        progress.newChild("b");
        a.complete();
        time.advance(Duration.ofSeconds(2));

        assertThat(progress.snapshot().eta()).hasValue(Duration.ofSeconds(2));
    }

    @Test
    void etaIsZeroOnceComplete() {
        progress.complete();

        assertThat(progress.snapshot().eta()).hasValue(Duration.ZERO);
    }
}
