package dev.weft.jobs;

import dev.weft.testing.Waits;

import dev.weft.scope.CancellationReason;
import dev.weft.time.ManualTimeSource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static dev.weft.testing.Waits.await;
import static dev.weft.testing.Waits.forever;
import static dev.weft.testing.Waits.until;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ShutdownTest {

    private static CompletableFuture<ShutdownReport> shutdownInBackground(JobRuntime rt, Duration grace) {
        var report = new CompletableFuture<ShutdownReport>();
        Thread.ofVirtual().start(() -> {
            try {
                report.complete(rt.shutdown(grace));
            } catch (Throwable t) {
                report.completeExceptionally(t);
            }
        });
        return report;
    }

    @Test
    void shutdownCancelsQueuedJobsAndLetsRunningOnesFinishWithinGrace() throws Exception {
        var started = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        try (var rt = JobRuntime.builder().maxRunning(1).build()) {
            var running = rt.submit("running", ctx -> {
                started.countDown();
                release.await();
                return "finished";
            });
            await(started);
            var q1 = rt.submit("q1", ctx -> 1);
            var q2 = rt.submit("q2", ctx -> 2);
            var report = shutdownInBackground(rt, Duration.ofMinutes(1));
            until(() -> q2.record().state().isTerminal());
            assertThat(q1.record().state()).isEqualTo(JobState.CANCELLED);
            assertThat(q1.record().cancellationReason().kind()).isEqualTo(CancellationReason.Kind.SHUTDOWN);
            assertThat(running.record().state()).isEqualTo(JobState.RUNNING);
            release.countDown();
            ShutdownReport r = report.get(10, TimeUnit.SECONDS);
            assertThat(r.cancelledQueued()).containsExactly(q1.id(), q2.id());
            assertThat(r.finishedInGrace()).containsExactly(running.id());
            assertThat(r.cancelledRunning()).isEmpty();
            assertThat(running.await()).isEqualTo("finished");
        }
    }

    @Test
    void aJobStillRunningWhenTheGraceEndsIsCancelledWithReasonShutdown() throws Exception {
        var started = new CountDownLatch(1);
        try (var rt = JobRuntime.builder().build()) {
            var h = rt.submit("endless", ctx -> {
                started.countDown();
                return forever();
            });
            await(started);
            Duration grace = Duration.ofMillis(200);
            ShutdownReport r = shutdownInBackground(rt, grace).get(10, TimeUnit.SECONDS);
            assertThat(r.took()).isGreaterThanOrEqualTo(grace); // the job had its grace period, in real time
            assertThat(r.cancelledRunning()).containsExactly(h.id());
            assertThat(r.finishedInGrace()).isEmpty();
            assertThat(h.record().state()).isEqualTo(JobState.CANCELLED);
            assertThat(h.record().cancellationReason().kind()).isEqualTo(CancellationReason.Kind.SHUTDOWN);
            assertThat(h.record().cancellationReason().detail()).contains("shutting down");
        }
    }

    @Test
    void submitAfterShutdownIsRejected() throws Exception {
        var rt = JobRuntime.builder().name("billing").build();
        rt.shutdown(Duration.ZERO);
        assertThatThrownBy(() -> rt.submit("late", ctx -> 1)).isInstanceOf(JobRejectedException.class)
                .hasMessageContaining("billing").hasMessageContaining("shutting down");
    }

    @Test
    void aSecondShutdownReturnsAnEmptyReport() throws Exception {
        var rt = JobRuntime.builder().build();
        var h = rt.submit("endless", ctx -> forever());
        assertThat(rt.shutdown(Duration.ZERO).cancelledRunning()).containsExactly(h.id());
        assertThat(h.record().state()).isEqualTo(JobState.CANCELLED);
        ShutdownReport again = rt.shutdown(Duration.ZERO);
        assertThat(again.cancelledRunning()).isEmpty();
        assertThat(again.cancelledQueued()).isEmpty();
        assertThat(again.finishedInGrace()).isEmpty();
    }

    @Test
    void whenCloseReturnsEveryJobIsTerminalAndNoRuntimeThreadRuns() throws Exception {
        var time = new ManualTimeSource();
        List<JobHandle<?>> handles = new ArrayList<>();
        var rt = JobRuntime.builder().maxRunning(3).shutdownGrace(Duration.ZERO).timeSource(time)
                .defaultExpectedDuration(Duration.ofHours(1)).build();
        rt.subscribe(e -> { });
        var started = new CountDownLatch(3);
        for (int i = 0; i < 3; i++) {
            handles.add(rt.submit("tree", ctx -> {
                for (int j = 0; j < 3; j++) {
                    ctx.scope().fork("leaf", () -> forever());
                }
                started.countDown();
                return forever();
            }));
        }
        for (int i = 0; i < 5; i++) {
            handles.add(rt.submit("queued", ctx -> 1));
        }
        await(started);
        rt.close();
        assertThat(handles).allSatisfy(h -> assertThat(h.record().state()).isEqualTo(JobState.CANCELLED));
        // the leak check (NoLeakedThreadsExtension) then fails the test if a runner, task or sampler thread survives
        assertThat(time.pendingTimers()).isZero();
    }

    @Test
    void theGracePeriodRunsOnRealTimeSoAManualClockThatNeverMovesCannotHoldShutdown() throws Exception {
        var time = new ManualTimeSource();
        var started = new CountDownLatch(1);
        var rt = JobRuntime.builder().timeSource(time).shutdownGrace(Duration.ofMillis(50)).build();
        try {
            var h = rt.submit("endless", ctx -> {
                started.countDown();
                return forever();
            });
            await(started);
            var closed = new CompletableFuture<Void>();
            Thread.ofVirtual().start(() -> {
                rt.close();
                closed.complete(null);
            });
            closed.get(10, TimeUnit.SECONDS); // the manual clock is never advanced
            assertThat(h.record().state()).isEqualTo(JobState.CANCELLED);
        } finally {
            time.advance(Duration.ofDays(1)); // lets an old, manual-clock grace end, so that a failure leaks nothing
            rt.close();
        }
    }
}
