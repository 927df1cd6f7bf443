package dev.weft.scope;

import dev.weft.testing.Waits;

import dev.weft.time.ManualTimeSource;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RetryTest {

    private final ManualTimeSource time = new ManualTimeSource();
    private static final Retry NO_WAIT = Retry.attempts(3).backoff(Duration.ZERO, 1.0, Duration.ZERO);

    @Test
    void retryReturnsTheFirstSuccessAfterFailedAttempts() throws Exception {
        var calls = new AtomicInteger();
        String value = NO_WAIT.call(() -> {
            if (calls.incrementAndGet() < 3) {
                throw new IOException("flaky " + calls.get());
            }
            return "ok";
        });
        assertThat(value).isEqualTo("ok");
        assertThat(calls).hasValue(3);
    }

    @Test
    void retryGivesUpAfterMaxAttemptsThrowingTheLastWithEarlierOnesSuppressed() {
        var calls = new AtomicInteger();
        assertThatThrownBy(() -> NO_WAIT.call(() -> {
            throw new IOException("attempt " + calls.incrementAndGet());
        })).isInstanceOfSatisfying(IOException.class, e -> {
            assertThat(e).hasMessage("attempt 3");
            assertThat(e.getSuppressed()).extracting(Throwable::getMessage).containsExactly("attempt 1", "attempt 2");
        });
        assertThat(calls).hasValue(3);
    }

    @Test
    void backoffDelaysGrowExponentiallyUpToTheMax() {
        var retry = Retry.attempts(6).backoff(Duration.ofMillis(100), 2.0, Duration.ofMillis(500));
        assertThat(List.of(retry.delayBefore(2), retry.delayBefore(3), retry.delayBefore(4), retry.delayBefore(5)))
                .containsExactly(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(400), Duration.ofMillis(500));
    }

    @Test
    void retryInsideATaskWaitsTheBackoffOnTheScopesTimeSource() throws Exception {
        // given attempts at 0, then after 100ms, then after 200ms more
        var retry = Retry.attempts(3).backoff(Duration.ofMillis(100), 2.0, Duration.ofSeconds(1));
        var attemptTimes = new CopyOnWriteArrayList<Long>();
        var attempted = List.of(new CountDownLatch(1), new CountDownLatch(2), new CountDownLatch(3));
        try (var scope = Scope.named("r").timeSource(time).open(Join.<String>allSuccessful())) {
            scope.fork("t", () -> retry.call(() -> {
                attemptTimes.add(time.nanoTime());
                attempted.forEach(CountDownLatch::countDown);
                if (attemptTimes.size() < 3) {
                    throw new IOException("flaky");
                }
                return "ok";
            }));
            Waits.await(attempted.get(0));
            time.awaitSleepers(1);
            time.advance(Duration.ofMillis(99));
            assertThat(attemptTimes).hasSize(1); // not yet: the delay is 100ms
            time.advance(Duration.ofMillis(1));
            Waits.await(attempted.get(1));
            time.awaitSleepers(1);
            time.advance(Duration.ofMillis(200));
            Waits.await(attempted.get(2));
            assertThat(scope.join()).containsExactly("ok");
        }
        assertThat(attemptTimes).containsExactly(0L, 100_000_000L, 300_000_000L);
    }

    @Test
    void jitterKeepsEveryDelayWithinItsBounds() {
        var retry = Retry.attempts(3).backoff(Duration.ofMillis(100), 2.0, Duration.ofSeconds(10)).jitter(0.2)
                .random(new Random(42));
        var seen = new java.util.HashSet<Duration>();
        for (int i = 0; i < 1000; i++) {
            Duration d = retry.delayBefore(2);
            assertThat(d).isBetween(Duration.ofMillis(80), Duration.ofMillis(120));
            seen.add(d);
        }
        assertThat(seen).hasSizeGreaterThan(100); // actually spread, not constant
    }

    @Test
    void jitterWithTheSameSeedGivesTheSameDelays() {
        var a = Retry.attempts(3).jitter(0.5).random(new Random(7));
        var b = Retry.attempts(3).jitter(0.5).random(new Random(7));
        for (int i = 2; i < 6; i++) {
            assertThat(a.delayBefore(i)).isEqualTo(b.delayBefore(i));
        }
    }

    @Test
    void aFailureRejectedByRetryOnIsThrownAtOnce() {
        var calls = new AtomicInteger();
        var retry = NO_WAIT.retryOn(e -> e instanceof IOException);
        assertThatThrownBy(() -> retry.call(() -> {
            calls.incrementAndGet();
            throw new IllegalArgumentException("permanent");
        })).isInstanceOf(IllegalArgumentException.class).hasMessage("permanent");
        assertThat(calls).hasValue(1);
    }

    @Test
    void anAttemptExceedingItsTimeoutCountsAsAFailureAndIsRetried() throws Exception {
        var retry = NO_WAIT.attemptTimeout(Duration.ofSeconds(1));
        var firstStarted = new CountDownLatch(1);
        var calls = new AtomicInteger();
        try (var scope = Scope.named("r").timeSource(time).open(Join.<String>allSuccessful())) {
            scope.fork("t", () -> retry.call(() -> {
                if (calls.incrementAndGet() == 1) {
                    firstStarted.countDown();
                    return Waits.<String>forever();
                }
                return "second time lucky";
            }));
            Waits.await(firstStarted);
            time.advance(Duration.ofSeconds(1));
            assertThat(scope.join()).containsExactly("second time lucky");
        }
        assertThat(calls).hasValue(2);
    }

    @Test
    void retryStopsAtOnceWhenTheScopeIsCancelledDuringBackoff() throws Exception {
        var retry = Retry.attempts(5).backoff(Duration.ofSeconds(10), 2.0, Duration.ofSeconds(60));
        var calls = new AtomicInteger();
        var failedOnce = new CountDownLatch(1);
        var thrown = new AtomicReference<Throwable>();
        try (var scope = Scope.named("r").timeSource(time).open(Join.<String>allSuccessful())) {
            scope.fork("t", () -> {
                try {
                    return retry.call(() -> {
                        calls.incrementAndGet();
                        failedOnce.countDown();
                        throw new IOException("down");
                    });
                } catch (Exception e) {
                    thrown.set(e);
                    throw e;
                }
            });
            Waits.await(failedOnce);
            time.awaitSleepers(1);
            scope.cancel("user gave up");
            assertThatThrownBy(scope::join).isInstanceOf(ScopeCancelledException.class);
        }
        assertThat(calls).hasValue(1);
        assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
    }

    @Test
    void retryStopsWhenTheDeadlineCannotFitAnotherAttemptAndSaysSo() throws Exception {
        var retry = Retry.attempts(5).backoff(Duration.ofSeconds(2), 2.0, Duration.ofSeconds(60));
        var calls = new AtomicInteger();
        try (var scope = Scope.named("r").timeSource(time).deadline(Duration.ofSeconds(1)).open(Join.<String>allSettled())) {
            var task = scope.fork("t", () -> retry.call(() -> {
                calls.incrementAndGet();
                throw new IOException("down");
            }));
            scope.join();
            assertThat(task.state()).isEqualTo(TaskState.FAILED);
            assertThat(task.exception()).isInstanceOf(IOException.class);
            assertThat(task.exception().getSuppressed()).hasSize(1);
            assertThat(task.exception().getSuppressed()[0]).isInstanceOf(TimeoutException.class)
                    .hasMessageContaining("retry stopped after attempt 1 of 5")
                    .hasMessageContaining("cannot fit");
        }
        assertThat(calls).hasValue(1);
    }

    @Test
    void retryDoesNotRetryAnInterruptedException() {
        var calls = new AtomicInteger();
        assertThatThrownBy(() -> NO_WAIT.call(() -> {
            calls.incrementAndGet();
            throw new InterruptedException("stop");
        })).isInstanceOf(InterruptedException.class);
        assertThat(calls).hasValue(1);
    }
}
