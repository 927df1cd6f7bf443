package dev.weft.jobs;

import dev.weft.scope.Retry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static dev.weft.jobs.JobWaits.finished;
import static dev.weft.testing.Waits.await;
import static dev.weft.testing.Waits.forever;
import static dev.weft.testing.Waits.until;
import static org.assertj.core.api.Assertions.assertThat;

/** Every Duration the job runtime accepts saturates: the longest ones mean "practically never", not an overflow. */
class JobDurationsSaturateTest {

    private static final Duration LONGEST = Duration.ofSeconds(Long.MAX_VALUE, 999_999_999);
    private static final Duration HUGE = Duration.ofSeconds(Long.MAX_VALUE);

    /** Returns once {@code rt} rejects submits, i.e. its shutdown has begun. */
    private static void awaitShutdownBegun(JobRuntime rt) {
        until(() -> {
            try {
                rt.submit("probe", ctx -> 0);
                return false;
            } catch (JobRejectedException e) {
                return true;
            }
        });
    }

    @Test
    void aJobWithAnEndlessExpectedDurationRunsToItsEndAndFreesItsSlot() throws Exception {
        for (Duration expected : new Duration[] {ChronoUnit.FOREVER.getDuration(), HUGE, LONGEST}) {
            try (var rt = JobRuntime.builder().maxRunning(1).build()) {
                var first = rt.submit(JobSpec.named("long").expectedDuration(expected).body(ctx -> 1));
                var second = rt.submit(JobSpec.named("next").body(ctx -> 2));
                assertThat(finished(first).state()).isEqualTo(JobState.SUCCEEDED);
                assertThat(finished(second).state()).isEqualTo(JobState.SUCCEEDED);
                assertThat(first.record().stuck()).isFalse();
            }
        }
    }

    @Test
    void anEndlessDefaultExpectedDurationNeverFlagsAJobStuck() throws Exception {
        try (var rt = JobRuntime.builder().defaultExpectedDuration(HUGE).build()) {
            var h = rt.submit("job", ctx -> 1);
            assertThat(finished(h).state()).isEqualTo(JobState.SUCCEEDED);
        }
    }

    @Test
    void anEndlessTimeoutLetsTheJobRunAndStillBeCancelled() throws Exception {
        var started = new CountDownLatch(1);
        try (var rt = JobRuntime.builder().build()) {
            var quick = rt.submit(JobSpec.named("quick").timeout(HUGE).body(ctx -> 1));
            var endless = rt.submit(JobSpec.named("endless").timeout(HUGE).body(ctx -> {
                started.countDown();
                return forever();
            }));
            assertThat(finished(quick).state()).isEqualTo(JobState.SUCCEEDED);
            await(started);
            assertThat(endless.cancel("enough")).isTrue();
            assertThat(finished(endless).state()).isEqualTo(JobState.CANCELLED);
        }
    }

    @Test
    void anEndlessRetryBackoffAndAttemptTimeoutWaitUntilCancelled() throws Exception {
        var failedOnce = new CountDownLatch(1);
        try (var rt = JobRuntime.builder().build()) {
            var h = rt.submit(JobSpec.named("retried")
                    .retry(Retry.attempts(2).backoff(HUGE, 2.0, HUGE).attemptTimeout(HUGE))
                    .body(ctx -> {
                        failedOnce.countDown();
                        throw new IllegalStateException("first attempt fails");
                    }));
            await(failedOnce);
            until(() -> ((Job<?>) h).inBackoff);
            assertThat(h.record().state()).isEqualTo(JobState.RUNNING);
            assertThat(h.cancel("enough")).isTrue();
            assertThat(finished(h).state()).isEqualTo(JobState.CANCELLED);
        }
    }

    @Test
    void anEndlessProgressIntervalIsAccepted() throws Exception {
        try (var rt = JobRuntime.builder().progressInterval(HUGE).build()) {
            rt.subscribe(e -> { });
            assertThat(finished(rt.submit("job", ctx -> 1)).state()).isEqualTo(JobState.SUCCEEDED);
        }
    }

    @Test
    void anEndlessRetentionAgeKeepsFinishedJobsQueryable() throws Exception {
        try (var rt = JobRuntime.builder().retention(Retention.keep(HUGE, 10)
                .forState(JobState.FAILED, LONGEST, 10)).build()) {
            var h = rt.submit("job", ctx -> 1);
            finished(h);
            assertThat(rt.get(h.id()).state()).isEqualTo(JobState.SUCCEEDED);
            assertThat(rt.counts().get(JobState.SUCCEEDED)).isEqualTo(1);
        }
    }

    @Test
    void awaitingAJobWithAnEndlessTimeoutWaitsForIt() throws Exception {
        try (var rt = JobRuntime.builder().build()) {
            var h = rt.submit("job", ctx -> 7);
            assertThat(h.awaitCompletion(HUGE)).isTrue();
            assertThat(h.await(HUGE)).isEqualTo(7);
            assertThat(h.await(LONGEST)).isEqualTo(7);
        }
    }

    @Test
    void closeWithAnEndlessGraceWaitsForTheRunningJobAndReportsIt() throws Exception {
        var started = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        var rt = JobRuntime.builder().shutdownGrace(HUGE).build();
        var h = rt.submit("running", JobWaits.startedThenWaitFor(started, release));
        await(started);
        var closed = new CompletableFuture<Void>();
        Thread.ofVirtual().start(() -> {
            try {
                rt.close();
                closed.complete(null);
            } catch (Throwable t) {
                closed.completeExceptionally(t);
            }
        });
        awaitShutdownBegun(rt);
        release.countDown();
        closed.get(10, TimeUnit.SECONDS);
        assertThat(h.record().state()).isEqualTo(JobState.SUCCEEDED);
    }

    @Test
    void shutdownWithAnEndlessGraceReportsTheJobThatFinishedInIt() throws Exception {
        var started = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        var rt = JobRuntime.builder().build();
        try {
            var h = rt.submit("running", JobWaits.startedThenWaitFor(started, release));
            await(started);
            var report = new CompletableFuture<ShutdownReport>();
            Thread.ofVirtual().start(() -> {
                try {
                    report.complete(rt.shutdown(LONGEST));
                } catch (Throwable t) {
                    report.completeExceptionally(t);
                }
            });
            awaitShutdownBegun(rt);
            release.countDown();
            ShutdownReport r = report.get(10, TimeUnit.SECONDS);
            assertThat(r.finishedInGrace()).contains(h.id());
            assertThat(rt.shutdown(HUGE).finishedInGrace()).isEmpty();
        } finally {
            release.countDown();
            rt.close();
        }
    }
}
