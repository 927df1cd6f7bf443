package dev.weft.jobs;

import dev.weft.testing.Waits;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.weft.testing.Waits.await;
import static dev.weft.jobs.JobWaits.finished;
import static dev.weft.jobs.JobWaits.startedThenWaitFor;
import static dev.weft.testing.Waits.until;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AdmissionTest {

    private static JobRuntime.Builder runtime() {
        return JobRuntime.builder().shutdownGrace(Duration.ZERO);
    }

    @Test
    void atMostMaxRunningJobsRunAndTheRestWaitQueued() throws Exception {
        var release = new CountDownLatch(1);
        var running = new AtomicInteger();
        var peak = new AtomicInteger();
        try (var rt = runtime().maxRunning(2).build()) {
            List<JobHandle<?>> handles = new CopyOnWriteArrayList<>();
            for (int i = 0; i < 6; i++) {
                handles.add(rt.submit("w", ctx -> {
                    peak.accumulateAndGet(running.incrementAndGet(), Math::max);
                    release.await();
                    running.decrementAndGet();
                    return null;
                }));
            }
            until(() -> running.get() == 2);
            assertThat(rt.counts().get(JobState.RUNNING)).isEqualTo(2);
            assertThat(rt.counts().get(JobState.QUEUED)).isEqualTo(4);
            release.countDown();
            for (var h : handles) {
                assertThat(finished(h).state()).isEqualTo(JobState.SUCCEEDED);
            }
            assertThat(peak).hasValue(2);
        }
    }

    @Test
    void queuedJobsStartByPriorityThenInSubmissionOrder() throws Exception {
        var started = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        List<String> order = new CopyOnWriteArrayList<>();
        try (var rt = runtime().maxRunning(1).build()) {
            var blocker = rt.submit("blocker", startedThenWaitFor(started, release));
            await(started);
            List<JobHandle<?>> hs = List.of(
                    rt.submit(JobSpec.named("low1").priority(0).body(ctx -> order.add("low1"))),
                    rt.submit(JobSpec.named("high1").priority(5).body(ctx -> order.add("high1"))),
                    rt.submit(JobSpec.named("high2").priority(5).body(ctx -> order.add("high2"))),
                    rt.submit(JobSpec.named("low2").priority(0).body(ctx -> order.add("low2"))),
                    rt.submit(JobSpec.named("negative").priority(-3).body(ctx -> order.add("negative"))));
            release.countDown();
            finished(blocker);
            for (var h : hs) {
                finished(h);
            }
            assertThat(order).containsExactly("high1", "high2", "low1", "low2", "negative");
        }
    }

    @Test
    void theLowestPossiblePriorityRunsLast() throws Exception {
        var started = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        List<String> order = new CopyOnWriteArrayList<>();
        try (var rt = runtime().maxRunning(1).build()) {
            var blocker = rt.submit("blocker", startedThenWaitFor(started, release));
            await(started);
            var min = rt.submit(JobSpec.named("min").priority(Integer.MIN_VALUE).body(ctx -> order.add("min")));
            var zero = rt.submit(JobSpec.named("zero").priority(0).body(ctx -> order.add("zero")));
            var max = rt.submit(JobSpec.named("max").priority(Integer.MAX_VALUE).body(ctx -> order.add("max")));
            release.countDown();
            finished(blocker);
            finished(min);
            finished(zero);
            finished(max);
            assertThat(order).containsExactly("max", "zero", "min");
        }
    }

    @Test
    void submitBeyondMaxQueuedIsRejectedNamingTheLimitsAndQueuesNothing() throws Exception {
        var started = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        var ranRejected = new AtomicInteger();
        try (var rt = runtime().maxRunning(1).maxQueued(2).build()) {
            var blocker = rt.submit("blocker", startedThenWaitFor(started, release));
            await(started);
            var q1 = rt.submit("q", ctx -> null);
            var q2 = rt.submit("q", ctx -> null);
            assertThatThrownBy(() -> rt.submit("rejected", ctx -> ranRejected.incrementAndGet()))
                    .isInstanceOf(JobRejectedException.class)
                    .hasMessageContaining("rejected")
                    .hasMessageContaining("maxQueued 2")
                    .hasMessageContaining("maxRunning 1");
            assertThat(rt.counts().get(JobState.QUEUED)).isEqualTo(2);
            assertThat(rt.list(JobQuery.all().name("rejected")).total()).isZero();
            release.countDown();
            finished(blocker);
            finished(q1);
            finished(q2);
            assertThat(ranRejected).hasValue(0);
        }
    }

    @Test
    void perGroupCapHoldsBackOneGroupWhileAnotherRuns() throws Exception {
        var release = new CountDownLatch(1);
        var tenantBStarted = new CountDownLatch(1);
        try (var rt = runtime().maxRunning(4).maxRunningPerGroup(1).build()) {
            var a1 = rt.submit(JobSpec.named("a").group("A").body(JobWaits.waitFor(release)));
            var a2 = rt.submit(JobSpec.named("a").group("A").body(JobWaits.waitFor(release)));
            var b1 = rt.submit(JobSpec.named("b").group("B").body(ctx -> {
                tenantBStarted.countDown();
                release.await();
                return null;
            }));
            await(tenantBStarted);
            until(() -> a1.record().state() == JobState.RUNNING);
            assertThat(a2.record().state()).isEqualTo(JobState.QUEUED);
            release.countDown();
            for (var h : List.of(a1, a2, b1)) {
                assertThat(finished(h).state()).isEqualTo(JobState.SUCCEEDED);
            }
        }
    }

    @Test
    void aFinishedJobFreesItsSlotForTheNextQueuedJob() throws Exception {
        var releaseFirst = new CountDownLatch(1);
        try (var rt = runtime().maxRunning(1).build()) {
            var first = rt.submit("first", JobWaits.waitFor(releaseFirst));
            var second = rt.submit("second", ctx -> "ran");
            assertThat(second.record().state()).isEqualTo(JobState.QUEUED);
            releaseFirst.countDown();
            assertThat(second.await()).isEqualTo("ran");
            assertThat(finished(first).state()).isEqualTo(JobState.SUCCEEDED);
        }
    }
}
