package dev.weft.micrometer;

import dev.weft.jobs.JobRuntime;
import dev.weft.time.ManualTimeSource;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class WeftJobMetricsTest {

    private static void awaitEnd(dev.weft.jobs.JobHandle<?> h) throws InterruptedException {
        assertThat(h.awaitCompletion(Duration.ofSeconds(10))).isTrue();
    }

    @Test
    void gaugesReportHowManyJobsAreInEachState() throws Exception {
        var registry = new SimpleMeterRegistry();
        var started = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        try (var rt = JobRuntime.builder().maxRunning(1).shutdownGrace(Duration.ZERO).build();
             var metrics = new WeftJobMetrics(rt, Tags.of("runtime", "test"))) {
            metrics.bindTo(registry);
            var running = rt.submit("r", ctx -> {
                started.countDown();
                release.await();
                return 1;
            });
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            var queued = rt.submit("q", ctx -> 2);
            assertThat(gauge(registry, "running")).isEqualTo(1.0);
            assertThat(gauge(registry, "queued")).isEqualTo(1.0);
            assertThat(gauge(registry, "succeeded")).isZero();
            release.countDown();
            awaitEnd(running);
            awaitEnd(queued);
            assertThat(gauge(registry, "running")).isZero();
            assertThat(gauge(registry, "queued")).isZero();
            assertThat(gauge(registry, "succeeded")).isEqualTo(2.0);
            assertThat(registry.get("weft.jobs").tag("runtime", "test").gauges()).hasSize(6);
        }
    }

    @Test
    void theTimerRecordsHowLongJobsRanByFinalState() throws Exception {
        var registry = new SimpleMeterRegistry();
        var time = new ManualTimeSource();
        var started = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        try (var rt = JobRuntime.builder().timeSource(time).build(); var metrics = new WeftJobMetrics(rt)) {
            metrics.bindTo(registry);
            var h = rt.submit("timed", ctx -> {
                started.countDown();
                release.await();
                return 1;
            });
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            time.advance(Duration.ofSeconds(2));
            release.countDown();
            awaitEnd(h);
            waitForCount(registry, "succeeded", 1);
            var timer = registry.get("weft.jobs.duration").tag("state", "succeeded").timer();
            assertThat(timer.count()).isEqualTo(1);
            assertThat(timer.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(2000.0);
            assertThat(registry.get("weft.jobs.duration").tag("state", "failed").timer().count()).isZero();
        }
    }

    @Test
    void countersCountFinishedJobsByState() throws Exception {
        var registry = new SimpleMeterRegistry();
        try (var rt = JobRuntime.builder().maxRunning(1).shutdownGrace(Duration.ZERO).build();
             var metrics = new WeftJobMetrics(rt)) {
            metrics.bindTo(registry);
            var release = new CountDownLatch(1);
            var blocker = rt.submit("blocker", ctx -> {
                release.await();
                return 0;
            });
            var queued = rt.submit("queued", ctx -> 0);
            queued.cancel("not needed");
            release.countDown();
            awaitEnd(blocker);
            awaitEnd(rt.submit("bad", ctx -> {
                throw new IOException("no");
            }));
            waitForCount(registry, "failed", 1);
            assertThat(counter(registry, "succeeded")).isEqualTo(1.0);
            assertThat(counter(registry, "cancelled")).isEqualTo(1.0);
            assertThat(counter(registry, "timed_out")).isZero();
            // the queued job never ran: counted, not timed
            assertThat(registry.get("weft.jobs.duration").tag("state", "cancelled").timer().count()).isZero();
        }
    }

    @Test
    void afterCloseFinishedJobsAreNoLongerCounted() throws Exception {
        var registry = new SimpleMeterRegistry();
        try (var rt = JobRuntime.builder().build()) {
            var metrics = new WeftJobMetrics(rt);
            metrics.bindTo(registry);
            awaitEnd(rt.submit("one", ctx -> 1));
            waitForCount(registry, "succeeded", 1);
            metrics.close();
            awaitEnd(rt.submit("two", ctx -> 2));
            assertThat(counter(registry, "succeeded")).isEqualTo(1.0);
            assertThat(gauge(registry, "succeeded")).isEqualTo(2.0); // gauges read the runtime itself
        }
    }

    private static double gauge(SimpleMeterRegistry registry, String state) {
        return registry.get("weft.jobs").tag("state", state).gauge().value();
    }

    private static double counter(SimpleMeterRegistry registry, String state) {
        return registry.get("weft.jobs.finished").tag("state", state).counter().count();
    }

    /** The FINISHED listener runs just before await returns; poll briefly for it. */
    private static void waitForCount(SimpleMeterRegistry registry, String state, double n) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (counter(registry, state) < n) {
            assertThat(System.nanoTime() - end).as("counter " + state + " reached " + n).isNegative();
            Thread.sleep(1); // polling a condition with a bound, not ordering
        }
    }
}
