package dev.weft.jobs;

import dev.weft.scope.Retry;
import dev.weft.time.ManualTimeSource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.*;

class JobSmokeTest {
    @Test
    void runsAndCancels() throws Exception {
        List<JobEvent> events = new CopyOnWriteArrayList<>();
        try (var rt = JobRuntime.builder().maxRunning(2).build()) {
            rt.subscribe(events::add);
            var h = rt.submit("sum", ctx -> {
                ctx.progress().setTotal(10);
                for (int i = 0; i < 10; i++) { int n = i; ctx.scope().fork("p" + i, () -> { ctx.progress().advance(); return n; }); }
                return 42;
            });
            assertThat(h.await()).isEqualTo(42);
            assertThat(rt.get(h.id()).state()).isEqualTo(JobState.SUCCEEDED);
            var started = new CountDownLatch(1);
            var blocked = rt.submit(JobSpec.named("block").key("k").body(Integer.class, ctx -> { started.countDown(); new CountDownLatch(1).await(); return 0; }));
            assertThat(rt.submit(JobSpec.named("block").key("k").body(Integer.class, ctx -> 1)).id()).isEqualTo(blocked.id());
            started.await();
            assertThat(blocked.cancel("test")).isTrue();
            assertThat(blocked.awaitCompletion(Duration.ofSeconds(5))).isTrue();
            assertThat(blocked.record().state()).isEqualTo(JobState.CANCELLED);
            assertThat(blocked.record().cancellationReason().detail()).contains("test");
        }
        assertThat(events.stream().filter(JobEvent::isTerminal).count()).isEqualTo(2);
    }

    @Test
    void retriesWithManualTime() throws Exception {
        var time = new ManualTimeSource();
        try (var rt = JobRuntime.builder().timeSource(time).build()) {
            var attempts = new java.util.concurrent.atomic.AtomicInteger();
            var h = rt.submit(JobSpec.named("flaky").retry(Retry.attempts(3).backoff(Duration.ofSeconds(1), 2, Duration.ofSeconds(10)))
                    .body(ctx -> { if (attempts.incrementAndGet() < 3) throw new java.io.IOException("flaky " + ctx.attempt()); return "ok"; }));
            time.awaitSleepers(1);                       // backoff after attempt 1
            time.advance(Duration.ofSeconds(1));
            org.awaitility.Awaitility.await().until(() -> attempts.get() == 2 && time.sleepers() == 1);
            time.advance(Duration.ofSeconds(2));         // backoff after attempt 2
            assertThat(h.await()).isEqualTo("ok");
            assertThat(h.record().attempt()).isEqualTo(3);
        }
    }

    @Test
    void timesOut() throws Exception {
        var time = new ManualTimeSource();
        try (var rt = JobRuntime.builder().timeSource(time).build()) {
            var started = new CountDownLatch(1);
            var h = rt.submit(JobSpec.named("slow").timeout(Duration.ofSeconds(5)).body(ctx -> { started.countDown(); Thread.sleep(Long.MAX_VALUE); return 0; }));
            started.await();
            time.advance(Duration.ofSeconds(5));
            assertThat(h.awaitCompletion(Duration.ofSeconds(5))).isTrue();
            assertThat(h.record().state()).isEqualTo(JobState.TIMED_OUT);
        }
    }
}
