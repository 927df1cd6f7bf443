package dev.weft.scope;

import dev.weft.time.ManualTimeSource;
import org.junit.jupiter.api.Test;

import dev.weft.time.TimeSource;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TimeSourceTest {

    private final ManualTimeSource time = new ManualTimeSource();

    @Test
    void manualTimeMovesOnlyWhenAdvanced() {
        long before = time.nanoTime();
        time.advance(Duration.ofSeconds(3));
        assertThat(time.nanoTime() - before).isEqualTo(3_000_000_000L);
    }

    @Test
    void advanceRunsTimersThatBecameDueAndNoOthers() {
        var fired = new AtomicInteger();
        time.schedule(Duration.ofSeconds(1).toNanos(), fired::incrementAndGet);
        time.schedule(Duration.ofSeconds(5).toNanos(), fired::incrementAndGet);
        time.advance(Duration.ofSeconds(1));
        assertThat(fired).hasValue(1);
        assertThat(time.pendingTimers()).isEqualTo(1);
    }

    @Test
    void aCancelledTimerNeverRuns() {
        var fired = new AtomicInteger();
        var timer = time.schedule(Duration.ofSeconds(1).toNanos(), fired::incrementAndGet);
        assertThat(timer.cancel()).isTrue();
        time.advance(Duration.ofSeconds(2));
        assertThat(fired).hasValue(0);
    }

    @Test
    void cancelReturnsOnlyOnceARunningActionHasFinished() throws Exception {
        var started = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        var finished = new AtomicBoolean();
        var timer = time.schedule(1, () -> {
            started.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            finished.set(true);
        });
        Thread advancer = Thread.ofPlatform().start(() -> time.advance(Duration.ofNanos(1)));
        started.await();
        var cancelled = new AtomicReference<Boolean>();
        Thread canceller = Thread.ofPlatform().start(() -> cancelled.set(timer.cancel()));
        await().until(() -> canceller.getState() == Thread.State.WAITING || cancelled.get() != null);
        assertThat(cancelled.get()).as("cancel returned while the action was still running").isNull();
        release.countDown();
        canceller.join();
        advancer.join();
        assertThat(cancelled.get()).isFalse();
        assertThat(finished).isTrue();
    }

    @Test
    void anActionMayCancelItsOwnTimer() {
        var timer = new AtomicReference<TimeSource.Timer>();
        var answer = new AtomicReference<Boolean>();
        timer.set(time.schedule(1, () -> answer.set(timer.get().cancel())));
        time.advance(Duration.ofNanos(1));
        assertThat(answer.get()).isFalse();
    }

    @Test
    void advancingBackwardsIsRejected() {
        assertThatThrownBy(() -> time.advance(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("zero or positive");
    }

    @Test
    void aSleeperWakesWhenItsDeadlineIsReached() throws Exception {
        try (var scope = Scope.named("sleep").timeSource(time).open(Join.<Long>allSuccessful())) {
            scope.fork(() -> {
                time.sleepUntil(Duration.ofSeconds(2).toNanos());
                return time.nanoTime();
            });
            time.awaitSleepers(1);
            time.advance(Duration.ofSeconds(2));
            assertThat(scope.join()).containsExactly(2_000_000_000L);
        }
    }

    @Test
    void aChildScopeUsesItsParentsTimeSource() throws Exception {
        try (var outer = Scope.named("a").timeSource(time).deadline(Duration.ofSeconds(10)).open(Join.<Integer>allSuccessful())) {
            try (var inner = Scope.named("b").deadline(Duration.ofSeconds(3)).open(Join.<Integer>allSuccessful())) {
                time.advance(Duration.ofSeconds(1));
                assertThat(inner.remaining()).contains(Duration.ofSeconds(2));
                inner.join();
            }
            outer.join();
        }
    }

    @Test
    void theLongestDurationsSaturateOnAManualClock() throws Exception {
        var time = new ManualTimeSource();
        var fired = new AtomicBoolean();
        time.schedule(time.nanoTime() + 1_000, () -> fired.set(true));
        time.advance(Duration.ofSeconds(Long.MAX_VALUE)); // no overflow: the clock moves by the longest span
        assertThat(fired).isTrue();
        assertThat(time.nanoTime()).isPositive();
        assertThat(time.awaitSleepers(0, Duration.ofSeconds(Long.MAX_VALUE))).isTrue();
    }
}
