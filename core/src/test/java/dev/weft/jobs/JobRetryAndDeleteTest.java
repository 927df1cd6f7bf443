package dev.weft.jobs;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.weft.jobs.JobWaits.finished;
import static dev.weft.jobs.JobWaits.startedThenWaitFor;
import static dev.weft.testing.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JobRetryAndDeleteTest {

    private static JobRuntime.Builder runtime() {
        return JobRuntime.builder().shutdownGrace(Duration.ZERO);
    }

    @Test
    void aFailedJobIsRetriedAsANewJobWithTheSameSpecThatNamesTheOriginal() throws Exception {
        var runs = new AtomicInteger();
        try (var rt = runtime().build()) {
            var first = rt.submit(JobSpec.named("import").key("file-9").group("imports").body(String.class, ctx -> {
                if (runs.incrementAndGet() == 1) {
                    throw new IOException("disk full");
                }
                return "imported";
            }));
            assertThat(finished(first).state()).isEqualTo(JobState.FAILED);

            JobHandle<?> again = rt.retry(first.id());
            JobRecord retried = finished(again);

            assertThat(retried.id()).isNotEqualTo(first.id());
            assertThat(retried.state()).isEqualTo(JobState.SUCCEEDED);
            assertThat(retried.result()).isEqualTo("imported");
            assertThat(retried.retryOf()).isEqualTo(first.id());
            assertThat(retried.name()).isEqualTo("import");
            assertThat(retried.key()).isEqualTo("file-9");
            assertThat(retried.group()).isEqualTo("imports");
            assertThat(rt.get(first.id()).state()).isEqualTo(JobState.FAILED);
        }
    }

    @Test
    void aCancelledTypedJobIsRetriedWithItsPayload() throws Exception {
        var release = new CountDownLatch(1);
        var started = new CountDownLatch(1);
        JobType<Integer, Integer> slowDouble = JobType.of("slow-double", Integer.class, Integer.class, (ctx, n) -> {
            started.countDown();
            release.await();
            return 2 * n;
        });
        try (var rt = runtime().register(slowDouble).build()) {
            var first = rt.submit(slowDouble, 21);
            await(started);
            rt.cancel(first.id(), "wrong moment");
            assertThat(finished(first).state()).isEqualTo(JobState.CANCELLED);

            release.countDown();
            JobRecord retried = finished(rt.retry(first.id()));

            assertThat(retried.state()).isEqualTo(JobState.SUCCEEDED);
            assertThat(retried.result()).isEqualTo("42");
            assertThat(retried.type()).isEqualTo("slow-double");
        }
    }

    @Test
    void onlyAJobThatDidNotSucceedCanBeRetried() throws Exception {
        var started = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        try (var rt = runtime().build()) {
            var ok = rt.submit("ok", ctx -> 1);
            finished(ok);
            var running = rt.submit(JobSpec.named("running").body(Object.class, startedThenWaitFor(started, release)));
            await(started);

            assertThatThrownBy(() -> rt.retry(ok.id())).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("is SUCCEEDED").hasMessageContaining("FAILED, CANCELLED or TIMED_OUT");
            assertThatThrownBy(() -> rt.retry(running.id())).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("is RUNNING");
            assertThatThrownBy(() -> rt.retry("nope")).isInstanceOf(NoSuchJobException.class);
            release.countDown();
            finished(running);
        }
    }

    @Test
    void aDeletedFinishedJobIsNoLongerFoundListedOrCounted() throws Exception {
        try (var rt = runtime().build()) {
            var kept = rt.submit("kept", ctx -> 1);
            var gone = rt.submit("gone", ctx -> 2);
            finished(kept);
            finished(gone);

            assertThat(rt.delete(gone.id())).isTrue();

            assertThat(rt.find(gone.id())).isEmpty();
            assertThat(rt.list(JobQuery.all()).jobs()).extracting(JobRecord::id).containsExactly(kept.id());
            assertThat(rt.counts().get(JobState.SUCCEEDED)).isEqualTo(1);
            assertThatThrownBy(() -> rt.delete(gone.id())).isInstanceOf(NoSuchJobException.class);
        }
    }

    @Test
    void aRunningJobCannotBeDeleted() throws Exception {
        var started = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        try (var rt = runtime().build()) {
            var running = rt.submit(JobSpec.named("busy").body(Object.class, startedThenWaitFor(started, release)));
            await(started);

            assertThatThrownBy(() -> rt.delete(running.id())).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("is RUNNING").hasMessageContaining("cancel it first");
            assertThat(rt.find(running.id())).isPresent();
            release.countDown();
            finished(running);
        }
    }
}
