package dev.weft.jobs;

import dev.weft.progress.ProgressSnapshot;
import dev.weft.progress.ProgressState;
import dev.weft.scope.Retry;
import dev.weft.time.ManualTimeSource;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.weft.jobs.JobWaits.finished;
import static dev.weft.testing.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;

/** A job's progress: the fraction is the work done, complete only when it succeeded, never moved back by a retry. */
class JobProgressTest {

    private static JobRuntime.Builder runtime() {
        return JobRuntime.builder().shutdownGrace(Duration.ZERO);
    }

    @Test
    void aJobThatFailsAtThreeOfAHundredReportsThreePercentAndFailed() throws Exception {
        try (var rt = runtime().build()) {
            var h = rt.submit("import", ctx -> {
                ctx.progress().setTotal(100);
                ctx.progress().advance(3);
                throw new IOException("row 4 is broken");
            });

            ProgressSnapshot p = finished(h).progress();

            assertThat(h.record().state()).isEqualTo(JobState.FAILED);
            assertThat(p.fraction()).isEqualTo(0.03);
            assertThat(p.complete()).isFalse();
            assertThat(p.state()).isEqualTo(ProgressState.FAILED);
            assertThat(p.done()).isEqualTo(3);
        }
    }

    @Test
    void aCancelledJobReportsItsWorkDoneAndCancelled() throws Exception {
        var started = new CountDownLatch(1);
        try (var rt = runtime().build()) {
            var h = rt.submit("import", ctx -> {
                ctx.progress().setTotal(4);
                ctx.progress().advance(1);
                started.countDown();
                new CountDownLatch(1).await();
                return null;
            });
            await(started);

            assertThat(h.cancel("operator")).isTrue();
            ProgressSnapshot p = finished(h).progress();

            assertThat(p.fraction()).isEqualTo(0.25);
            assertThat(p.complete()).isFalse();
            assertThat(p.state()).isEqualTo(ProgressState.CANCELLED);
        }
    }

    @Test
    void aSucceededJobIsCompleteAtOne() throws Exception {
        try (var rt = runtime().build()) {
            var h = rt.submit("import", ctx -> {
                ctx.progress().setTotal(100);
                ctx.progress().advance(3);
                return "ok";
            });

            ProgressSnapshot p = finished(h).progress();

            assertThat(p.fraction()).isEqualTo(1.0);
            assertThat(p.complete()).isTrue();
            assertThat(p.state()).isEqualTo(ProgressState.SUCCEEDED);
        }
    }

    @Test
    void aRetriedJobIsNeitherCompleteInBackoffNorMovedBackByItsNextAttempt() throws Exception {
        var time = new ManualTimeSource();
        var attempts = new AtomicInteger();
        var secondStarted = new CountDownLatch(1);
        var secondHalfway = new CountDownLatch(1);
        var secondGo = new CountDownLatch(1);
        var secondFinish = new CountDownLatch(1);
        try (var rt = runtime().timeSource(time).build()) {
            var h = rt.submit(JobSpec.named("sync").retry(Retry.attempts(2).backoff(Duration.ofSeconds(1), 1, Duration.ofSeconds(1)))
                    .body(ctx -> {
                        ctx.progress().setTotal(20);
                        if (attempts.incrementAndGet() == 1) {
                            ctx.progress().advance(10);
                            throw new IOException("connection reset at 10 of 20");
                        }
                        secondStarted.countDown();
                        secondGo.await();
                        ctx.progress().advance(15);
                        secondHalfway.countDown();
                        secondFinish.await();
                        return "synced";
                    }));

            time.awaitSleepers(1); // the runner waits out the backoff
            ProgressSnapshot inBackoff = h.record().progress();
            assertThat(inBackoff.fraction()).isEqualTo(0.5);
            assertThat(inBackoff.complete()).isFalse();
            assertThat(inBackoff.state()).isEqualTo(ProgressState.RUNNING);

            time.advance(Duration.ofSeconds(1));
            await(secondStarted);
            ProgressSnapshot secondAtZero = h.record().progress();
            assertThat(secondAtZero.done()).isZero();
            assertThat(secondAtZero.fraction()).as("a new attempt does not move the fraction back").isEqualTo(0.5);
            assertThat(secondAtZero.complete()).isFalse();

            secondGo.countDown();
            await(secondHalfway);
            assertThat(h.record().progress().fraction()).isEqualTo(0.75);
            secondFinish.countDown();
            ProgressSnapshot last = finished(h).progress();
            assertThat(last.fraction()).isEqualTo(1.0);
            assertThat(last.complete()).isTrue();
            assertThat(last.state()).isEqualTo(ProgressState.SUCCEEDED);
        }
    }

    @Test
    void progressEventsOfAFailingRetriedJobNeverSayCompleteAndNeverGoBack() throws Exception {
        var time = new ManualTimeSource();
        var attempts = new AtomicInteger();
        var progressed = new CountDownLatch(1);
        List<JobEvent> events = new CopyOnWriteArrayList<>();
        try (var rt = runtime().timeSource(time).progressInterval(Duration.ofMillis(10)).build()) {
            rt.subscribe(e -> {
                events.add(e);
                if (e.type() == JobEvent.Type.PROGRESS && e.job().progress().fraction() == 0.5) {
                    progressed.countDown();
                }
            });
            var h = rt.submit(JobSpec.named("sync").retry(Retry.attempts(2).backoff(Duration.ofSeconds(1), 1, Duration.ofSeconds(1)))
                    .body(ctx -> {
                        ctx.progress().setTotal(20);
                        ctx.progress().advance(attempts.incrementAndGet() == 1 ? 10 : 4);
                        throw new IOException("connection reset");
                    }));
            time.awaitSleepers(2); // the runner in its backoff, the sampler between samples
            time.advance(Duration.ofMillis(10)); // a sample during the backoff, which is 1 s
            await(progressed);
            time.advance(Duration.ofSeconds(1)); // the second attempt, which fails at 4 of 20
            JobRecord end = finished(h);

            assertThat(end.state()).isEqualTo(JobState.FAILED);
            assertThat(end.progress().fraction()).isEqualTo(0.5);
            assertThat(end.progress().state()).isEqualTo(ProgressState.FAILED);
            double highest = 0;
            for (JobEvent e : events) {
                ProgressSnapshot p = e.job().progress();
                if (p == null) {
                    continue;
                }
                assertThat(p.complete()).as("%s event", e.type()).isFalse();
                assertThat(p.fraction()).as("%s event", e.type()).isGreaterThanOrEqualTo(highest);
                highest = p.fraction();
            }
        }
    }
}
