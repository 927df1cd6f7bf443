package dev.weft.scope;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;

import static org.assertj.core.api.Assertions.assertThat;

/** Jitter that concurrent retries do not share, and Durations of any size. */
class RetryJitterAndDurationsTest {

    private static final Duration LONGEST = Duration.ofSeconds(Long.MAX_VALUE);
    private static final int DRAWS = 1_000_000;

    @Test
    void concurrentRetriesWithOnePolicyNeverDrawTheSameJitter() throws Exception {
        // delays spread over about 27 years in nanoseconds: independent draws collide with odds of about 1e-7
        Retry retry = Retry.attempts(2).backoff(Duration.ofDays(5000), 1.0, Duration.ofDays(20000)).jitter(1.0);

        long[] drawn = drawTogether(retry);

        assertThat(repeats(drawn)).as("delays drawn twice by two threads drawing at once").isZero();
    }

    @Test
    void aGivenGeneratorIsNeverCalledByTwoThreadsAtOnce() throws Exception {
        var inside = new java.util.concurrent.atomic.AtomicInteger();
        var mostInside = new java.util.concurrent.atomic.AtomicInteger();
        var firstInside = new java.util.concurrent.CountDownLatch(1);
        var release = new java.util.concurrent.CountDownLatch(1);
        java.util.random.RandomGenerator generator = new java.util.random.RandomGenerator() {
            @Override
            public long nextLong() {
                int now = inside.incrementAndGet();
                mostInside.accumulateAndGet(now, Math::max);
                firstInside.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                inside.decrementAndGet();
                return 42;
            }
        };
        Retry retry = Retry.attempts(2).backoff(Duration.ofSeconds(1), 1.0, Duration.ofSeconds(2)).jitter(0.5)
                .random(generator);
        Thread first = Thread.ofPlatform().start(() -> retry.delayBefore(2));
        firstInside.await();

        Thread second = Thread.ofPlatform().start(() -> retry.delayBefore(2));
        // the second draw either waits for the first (BLOCKED on the generator) or gets in beside it
        while (second.getState() != Thread.State.BLOCKED && inside.get() < 2 && second.isAlive()) {
            Thread.onSpinWait();
        }
        release.countDown();
        first.join();
        second.join();

        assertThat(mostInside).as("threads inside the generator at once").hasValue(1);
    }

    @Test
    void aGivenGeneratorSharedByThreadsYieldsItsOwnSequenceWithNothingRepeatedOrLost() throws Exception {
        Retry retry = Retry.attempts(2).backoff(Duration.ofDays(5000), 1.0, Duration.ofDays(20000)).jitter(1.0)
                .random(new SplittableRandom(11)); // not thread-safe
        Retry alone = Retry.attempts(2).backoff(Duration.ofDays(5000), 1.0, Duration.ofDays(20000)).jitter(1.0)
                .random(new SplittableRandom(11));
        long[] expected = new long[2 * DRAWS];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = alone.delayBefore(2).toNanos();
        }
        java.util.Arrays.sort(expected);

        long[] drawn = drawTogether(retry);

        assertThat(java.util.Arrays.equals(drawn, expected))
                .as("the two threads' draws are the generator's first %d values, each once", expected.length).isTrue();
    }

    @Test
    void backoffOfTheLongestDurationSaturatesInsteadOfOverflowing() {
        Retry retry = Retry.attempts(5).backoff(LONGEST, 2.0, LONGEST);

        assertThat(retry.delayBefore(2)).isEqualTo(LONGEST);
        assertThat(retry.delayBefore(5)).isEqualTo(LONGEST);
        assertThat(retry.jitter(0.5).delayBefore(3)).isPositive().isLessThanOrEqualTo(LONGEST);
    }

    @Test
    void aHugeMultiplierOrAttemptNumberStopsAtTheMax() {
        Retry retry = Retry.attempts(Integer.MAX_VALUE).backoff(Duration.ofMillis(100), Double.MAX_VALUE, Duration.ofSeconds(30));

        assertThat(retry.delayBefore(Integer.MAX_VALUE)).isEqualTo(Duration.ofSeconds(30));
        assertThat(Retry.attempts(3).backoff(Duration.ZERO, Double.MAX_VALUE, LONGEST).delayBefore(1000))
                .isEqualTo(Duration.ZERO);
    }

    @Test
    void anAttemptTimeoutOfTheLongestDurationLetsTheAttemptRun() throws Exception {
        Retry retry = Retry.attempts(2).attemptTimeout(LONGEST);

        assertThat(retry.attemptTimeoutOrNull()).isEqualTo(LONGEST);
        assertThat(retry.<String>call(() -> "answered")).isEqualTo("answered");
    }

    @Test
    void aRetryInATaskWithTheLongestBackoffAndTimeoutStopsWithTheDeadlineNote() throws Exception {
        Retry retry = Retry.attempts(3).backoff(LONGEST, 1.0, LONGEST).attemptTimeout(LONGEST);
        try (var scope = Scope.named("s").deadline(Duration.ofHours(1)).open(Join.<String>allSettled())) {
            var task = scope.fork("call", () -> retry.call(() -> {
                throw new java.io.IOException("down");
            }));
            scope.join();

            assertThat(task.exception()).isInstanceOf(java.io.IOException.class);
            assertThat(task.exception().getSuppressed()).singleElement().satisfies(note ->
                    assertThat(note).hasMessageContaining("cannot fit"));
        }
    }

    /** Two threads, started together, each draw DRAWS delays from {@code retry}: all of them, sorted. */
    private static long[] drawTogether(Retry retry) throws Exception {
        CyclicBarrier start = new CyclicBarrier(2);
        long[] drawn = new long[2 * DRAWS];
        List<Thread> threads = new ArrayList<>();
        List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int t = 0; t < 2; t++) {
            int from = t * DRAWS;
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                    for (int i = from; i < from + DRAWS; i++) {
                        drawn[i] = retry.delayBefore(2).toNanos();
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(errors).isEmpty();
        java.util.Arrays.sort(drawn);
        return drawn;
    }

    private static int repeats(long[] sorted) {
        int repeats = 0;
        for (int i = 1; i < sorted.length; i++) {
            repeats += sorted[i] == sorted[i - 1] ? 1 : 0;
        }
        return repeats;
    }
}
