package dev.weft.scope;

import dev.weft.time.ManualTimeSource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.*;

class SmokeTest {
    @Test
    void fanOut() throws Exception {
        try (var scope = Scope.named("quote").deadline(Duration.ofSeconds(5)).open(Join.<Integer>allSuccessful())) {
            for (int i = 0; i < 100; i++) { int n = i; scope.fork(() -> n); }
            List<Integer> r = scope.join();
            assertThat(r).hasSize(100).startsWith(0, 1, 2);
        }
    }

    @Test
    void failureCancelsSiblings() throws Exception {
        var blocked = new CountDownLatch(1);
        try (var scope = Scope.named("checkout").open(Join.<String>allSuccessful())) {
            var slow = scope.fork("slow", () -> { blocked.countDown(); Thread.sleep(60_000); return "x"; });
            blocked.await();
            scope.fork("bad", () -> { throw new IllegalStateException("boom"); });
            assertThatThrownBy(scope::join).isInstanceOf(ScopeFailedException.class)
                    .hasMessageContaining("checkout/bad").hasCauseInstanceOf(IllegalStateException.class);
            assertThat(slow.state()).isEqualTo(TaskState.CANCELLED);
            assertThat(slow.cancellationReason().orElseThrow().kind()).isEqualTo(CancellationReason.Kind.SIBLING_FAILED);
        }
    }

    @Test
    void manualDeadlineAllSettled() throws Exception {
        var time = new ManualTimeSource();
        var started = new CountDownLatch(1);
        try (var scope = Scope.named("s").timeSource(time).deadline(Duration.ofSeconds(2)).open(Join.<Integer>allSettled())) {
            scope.fork("fast", () -> 1);
            scope.fork("slow", () -> { started.countDown(); Thread.sleep(60_000); return 2; });
            started.await();
            time.advance(Duration.ofSeconds(2));
            var out = scope.join();
            assertThat(out.get(1)).isInstanceOf(Outcome.TimedOut.class);
            assertThat(scope.state()).isEqualTo(ScopeState.TIMED_OUT);
        }
    }

    @Test
    void capAndSpawn() throws Exception {
        var running = new AtomicInteger(); var max = new AtomicInteger();
        try (var scope = Scope.named("crawl").maxConcurrency(4).open(Join.<Integer>allSuccessful())) {
            for (int i = 0; i < 50; i++) {
                scope.fork(() -> {
                    int r = running.incrementAndGet(); max.accumulateAndGet(r, Math::max);
                    scope.fork(() -> { int q = running.incrementAndGet(); max.accumulateAndGet(q, Math::max); running.decrementAndGet(); return 2; });
                    running.decrementAndGet();
                    return 1;
                });
            }
            assertThat(scope.join()).hasSize(100);
        }
        assertThat(max.get()).isLessThanOrEqualTo(4);
    }
}
