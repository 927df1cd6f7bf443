package dev.weft.jobs;

import dev.weft.testing.Waits;

import dev.weft.time.ManualTimeSource;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import static dev.weft.testing.Waits.await;
import static dev.weft.jobs.JobWaits.finished;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RetentionTest {

    private static JobRuntime.Builder runtime(Retention retention) {
        return JobRuntime.builder().shutdownGrace(Duration.ZERO).retention(retention);
    }

    @Test
    void beyondItsCountTheOldestFinishedJobOfAStateIsEvictedFirst() throws Exception {
        try (var rt = runtime(Retention.keep(Duration.ofHours(1), 2)).build()) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                var h = rt.submit("j", ctx -> 1);
                finished(h);
                ids.add(h.id());
            }
            assertThat(rt.find(ids.get(0))).isEmpty();
            assertThat(rt.find(ids.get(1))).isPresent();
            assertThat(rt.find(ids.get(2))).isPresent();
            assertThatThrownBy(() -> rt.get(ids.get(0))).isInstanceOf(NoSuchJobException.class);
        }
    }

    @Test
    void aFinishedJobIsEvictedOnceOlderThanItsStatesMaxAge() throws Exception {
        var time = new ManualTimeSource();
        try (var rt = runtime(Retention.keep(Duration.ofMinutes(10), 100)).timeSource(time).build()) {
            var h = rt.submit("j", ctx -> 1);
            finished(h);
            time.advance(Duration.ofMinutes(10).minusNanos(1));
            assertThat(rt.find(h.id())).isPresent();
            time.advance(Duration.ofNanos(1));
            assertThat(rt.find(h.id())).isEmpty();
            assertThat(rt.counts().get(JobState.SUCCEEDED)).isZero();
        }
    }

    @Test
    void eachTerminalStateHasItsOwnLimits() throws Exception {
        var retention = Retention.keep(Duration.ofHours(1), 1).forState(JobState.FAILED, Duration.ofHours(1), 3);
        try (var rt = runtime(retention).build()) {
            for (int i = 0; i < 4; i++) {
                finished(rt.submit("ok", ctx -> 1));
                finished(rt.submit("bad", ctx -> {
                    throw new IOException("no");
                }));
            }
            var counts = rt.counts();
            assertThat(counts.get(JobState.SUCCEEDED)).isEqualTo(1);
            assertThat(counts.get(JobState.FAILED)).isEqualTo(3);
        }
    }

    @Test
    void queuedAndRunningJobsAreNeverEvicted() throws Exception {
        var time = new ManualTimeSource();
        var started = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        try (var rt = runtime(Retention.keep(Duration.ZERO, 0)).maxRunning(1).timeSource(time).build()) {
            var running = rt.submit("running", ctx -> {
                started.countDown();
                release.await();
                return 1;
            });
            await(started);
            var queued = rt.submit("queued", ctx -> 2);
            time.advance(Duration.ofDays(365));
            assertThat(rt.get(running.id()).state()).isEqualTo(JobState.RUNNING);
            assertThat(rt.get(queued.id()).state()).isEqualTo(JobState.QUEUED);
            release.countDown();
            finished(running);
            finished(queued);
            assertThat(rt.find(running.id())).isEmpty();
        }
    }

    @Test
    void retentionOfANonTerminalStateIsRejected() {
        assertThatThrownBy(() -> Retention.defaults().forState(JobState.RUNNING, Duration.ofHours(1), 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("never evicted");
        assertThatThrownBy(() -> Retention.keep(Duration.ofSeconds(-1), 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Retention.keep(Duration.ofSeconds(1), -1)).isInstanceOf(IllegalArgumentException.class);
    }
}
