package dev.weft.jobs;

import dev.weft.testing.Waits;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static dev.weft.jobs.JobWaits.finished;
import static dev.weft.testing.Waits.forever;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JobBadInputTest {

    private static JobRuntime.Builder runtime() {
        return JobRuntime.builder().shutdownGrace(Duration.ZERO);
    }

    @Test
    void anUnknownIdIsAnsweredWithNoSuchJobNamingTheId() {
        try (var rt = runtime().build()) {
            assertThatThrownBy(() -> rt.get("nope")).isInstanceOf(NoSuchJobException.class)
                    .hasMessageContaining("\"nope\"")
                    .satisfies(e -> assertThat(((NoSuchJobException) e).jobId()).isEqualTo("nope"));
            assertThatThrownBy(() -> rt.cancel("nope", "why")).isInstanceOf(NoSuchJobException.class);
            assertThat(rt.find("nope")).isEmpty();
            assertThat(rt.handle("nope")).isEmpty();
        }
    }

    @Test
    void cancellingAFinishedJobReturnsFalseAndChangesNothing() throws Exception {
        try (var rt = runtime().build()) {
            var h = rt.submit("done", ctx -> "value");
            JobRecord before = finished(h);
            assertThat(rt.cancel(h.id(), "too late")).isFalse();
            assertThat(h.cancel("too late")).isFalse();
            assertThat(h.record()).isEqualTo(before);
            assertThat(h.await()).isEqualTo("value");
        }
    }

    @Test
    void aSecondCancelReturnsFalseAndTheFirstReasonStands() throws Exception {
        try (var rt = runtime().build()) {
            var h = rt.submit("endless", ctx -> forever());
            assertThat(h.cancel("first")).isTrue();
            assertThat(h.cancel("second")).isFalse();
            assertThat(finished(h).cancellationReason().detail()).contains("first").doesNotContain("second");
        }
    }

    @Test
    void aNullBodyIsRejectedAndNothingIsSubmitted() {
        try (var rt = runtime().build()) {
            assertThatThrownBy(() -> JobSpec.named("x").body(null)).isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("job body must not be null");
            assertThatThrownBy(() -> rt.submit("x", null)).isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("job body must not be null");
            assertThatThrownBy(() -> rt.submit(null)).isInstanceOf(NullPointerException.class);
            assertThat(rt.counts().values()).allSatisfy(n -> assertThat(n).isZero());
        }
    }

    @Test
    void nullIdsAndReasonsAreRejectedWithAMessage() throws Exception {
        try (var rt = runtime().build()) {
            var h = rt.submit("endless", ctx -> forever());
            assertThatThrownBy(() -> rt.get(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("job id");
            assertThatThrownBy(() -> rt.cancel(h.id(), null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> h.cancel(null)).isInstanceOf(NullPointerException.class);
            assertThat(h.record().state()).isIn(JobState.QUEUED, JobState.RUNNING);
            assertThat(h.cancel("now")).isTrue();
            finished(h);
        }
    }

    @Test
    void nonPositiveLimitsAreRejectedNamingTheLimit() {
        var b = JobRuntime.builder();
        assertThatThrownBy(() -> b.maxRunning(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxRunning");
        assertThatThrownBy(() -> b.maxRunningPerGroup(-1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxRunningPerGroup");
        assertThatThrownBy(() -> b.maxQueued(-1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxQueued");
        assertThatThrownBy(() -> b.progressInterval(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("progressInterval");
        assertThatThrownBy(() -> b.defaultExpectedDuration(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.shutdownGrace(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> JobSpec.named("x").timeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout");
        assertThatThrownBy(() -> JobSpec.named("x").expectedDuration(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> JobSpec.named(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> JobSpec.named("a/b")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'/'");
        assertThatThrownBy(() -> JobSpec.named("x").key("")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("key");
    }

    @Test
    void aBadPageIsRejected() {
        assertThatThrownBy(() -> JobQuery.all().page(-1, 10)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("offset");
        assertThatThrownBy(() -> JobQuery.all().page(0, 0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("limit");
        assertThatThrownBy(() -> JobQuery.all().page(0, JobQuery.MAX_LIMIT + 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
