package dev.weft.jobs;

import dev.weft.testing.Waits;

import ch.qos.logback.classic.Level;
import dev.weft.time.ManualTimeSource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

import static dev.weft.testing.Waits.await;
import static dev.weft.jobs.JobWaits.finished;
import static dev.weft.testing.Waits.forever;
import static org.assertj.core.api.Assertions.assertThat;

class StuckJobTest {

    @Test
    void aJobRunningPastItsExpectedDurationIsFlaggedStuckInItsRecord() throws Exception {
        var time = new ManualTimeSource();
        var started = new CountDownLatch(1);
        try (var rt = JobRuntime.builder().timeSource(time).shutdownGrace(Duration.ZERO).build()) {
            var h = rt.submit(JobSpec.named("slow").expectedDuration(Duration.ofMinutes(5)).body(ctx -> {
                started.countDown();
                return forever();
            }));
            await(started);
            time.advance(Duration.ofMinutes(5).minusNanos(1));
            assertThat(h.record().stuck()).isFalse();
            time.advance(Duration.ofNanos(1));
            assertThat(h.record().stuck()).isTrue();
            assertThat(h.record().state()).isEqualTo(JobState.RUNNING);
            assertThat(h.record().expectedDuration()).isEqualTo(Duration.ofMinutes(5));
        }
    }

    @Test
    void aStuckJobIsLoggedOnceWithTheStacksOfItsThreadsAndEmitsOneStuckEvent() throws Exception {
        var time = new ManualTimeSource();
        var started = new CountDownLatch(2);
        List<JobEvent> stuckEvents = new CopyOnWriteArrayList<>();
        try (var logs = new CapturedLogs();
             var rt = JobRuntime.builder().timeSource(time).shutdownGrace(Duration.ZERO)
                     .defaultExpectedDuration(Duration.ofSeconds(10)).build()) {
            rt.subscribe(e -> {
                if (e.type() == JobEvent.Type.STUCK) {
                    stuckEvents.add(e);
                }
            });
            var h = rt.submit("wedged", ctx -> {
                ctx.scope().fork("waitsOnLock", () -> {
                    started.countDown();
                    return forever();
                });
                started.countDown();
                return forever();
            });
            await(started);
            time.advance(Duration.ofSeconds(10));
            time.advance(Duration.ofSeconds(10));
            time.advance(Duration.ofHours(1));
            var stuckLogs = logs.containing("is stuck");
            assertThat(stuckLogs).hasSize(1);
            assertThat(stuckLogs.getFirst().getLevel()).isEqualTo(Level.WARN);
            String message = stuckLogs.getFirst().getFormattedMessage();
            assertThat(message).contains("job " + h.id()).contains("wedged").contains("PT10S")
                    .contains("waitsOnLock").contains("at java.base/");
        }
        // listeners run on their subscription's thread; close() has delivered everything by now
        assertThat(stuckEvents).hasSize(1);
        assertThat(stuckEvents.getFirst().job().stuck()).isTrue();
    }

    @Test
    void aJobFinishingWithinItsExpectedDurationIsNeverStuck() throws Exception {
        var time = new ManualTimeSource();
        try (var rt = JobRuntime.builder().timeSource(time).defaultExpectedDuration(Duration.ofSeconds(1)).build()) {
            var h = rt.submit("quick", ctx -> 1);
            finished(h);
            time.advance(Duration.ofHours(1));
            assertThat(h.record().stuck()).isFalse();
            assertThat(time.pendingTimers()).isZero();
        }
    }
}
