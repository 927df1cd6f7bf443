package dev.weft.scope;

import dev.weft.testing.Waits;

import dev.weft.time.ManualTimeSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DeadlineTest {

    /**
     * Regression: the deadline's overflow guard compared two absolute clock readings, so a deadline shorter than
     * the time between them (1 ns always is; a few microseconds left of a job's timeout under load was) became
     * "no deadline", and a task waiting for its interrupt hung forever. Real clock on purpose: a manual clock does
     * not move between the reads.
     */
    @Test
    @Timeout(30)
    void aDeadlineShorterThanOpeningTheScopeStillExpiresOnTheRealClock() throws Exception {
        for (int i = 0; i < 200; i++) {
            try (var scope = Scope.named("tiny").deadline(Duration.ofNanos(1 + i)).open(Join.<Object>allSuccessful())) {
                var waiter = scope.fork("waiter", () -> Waits.forever());
                assertThatThrownBy(scope::join).isInstanceOf(ScopeTimeoutException.class);
                assertThat(waiter.state()).isEqualTo(TaskState.TIMED_OUT);
            }
        }
    }

    /** A huge deadline or timeout is clamped, not wrapped into the past: it neither fires at once nor overflows. */
    @Test
    void aHugeDeadlineAndTaskTimeoutDoNotFireAtOnce() throws Exception {
        try (var scope = Scope.named("huge").deadline(Duration.ofDays(365L * 1_000_000)).open(Join.<String>allSuccessful())) {
            var task = scope.fork("t", Duration.ofDays(365L * 1_000_000), () -> {
                assertThat(CurrentTask.remaining()).hasValueSatisfying(d -> assertThat(d).isGreaterThan(Duration.ofDays(365L * 50)));
                return "done";
            });
            assertThat(scope.join()).containsExactly("done");
            assertThat(task.state()).isEqualTo(TaskState.SUCCEEDED);
        }
    }

    private final ManualTimeSource time = new ManualTimeSource();

    @Test
    void scopeDeadlineCancelsRunningTasksAndJoinThrowsTimeoutNamingScopeAndDeadline() throws Exception {
        try (var scope = Scope.named("quote").timeSource(time).deadline(Duration.ofSeconds(2))
                .open(Join.<String>allSuccessful())) {
            var slow = Waits.forkRunning(scope, "slow");
            // when
            time.advance(Duration.ofSeconds(2));
            // then
            assertThatThrownBy(scope::join).isInstanceOfSatisfying(ScopeTimeoutException.class, e -> {
                assertThat(e.scopePath()).isEqualTo("quote");
                assertThat(e.deadline()).isEqualTo(Duration.ofSeconds(2));
                assertThat(e.getMessage()).contains("quote").contains("PT2S");
            });
            assertThat(slow.state()).isEqualTo(TaskState.TIMED_OUT);
            assertThat(scope.state()).isEqualTo(ScopeState.TIMED_OUT);
        }
    }

    @Test
    void deadlineNotYetReachedLeavesTasksRunning() throws Exception {
        var started = new CountDownLatch(1);
        var proceed = new CountDownLatch(1);
        try (var scope = Scope.named("quote").timeSource(time).deadline(Duration.ofSeconds(2))
                .open(Join.<Boolean>allSuccessful())) {
            scope.fork("t", () -> {
                started.countDown();
                Waits.await(proceed);
                return CurrentTask.isCancelled();
            });
            Waits.await(started);
            time.advance(Duration.ofMillis(1999));
            proceed.countDown();
            assertThat(scope.join()).containsExactly(false);
        }
    }

    @Test
    void perTaskTimeoutTimesOutOnlyThatTask() throws Exception {
        var started = new CountDownLatch(1);
        var timedOut = new CountDownLatch(1);
        try (var scope = Scope.named("s").timeSource(time).open(Join.<String>allSettled())) {
            var slow = scope.fork("slow", Duration.ofSeconds(1), () -> {
                started.countDown();
                return Waits.forever();
            });
            scope.fork("sibling", () -> {
                Waits.until(() -> slow.state().isTerminal());
                return CurrentTask.isCancelled() ? "cancelled" : "fine";
            });
            Waits.await(started);
            time.advance(Duration.ofSeconds(1));
            var outcomes = scope.join();
            assertThat(slow.state()).isEqualTo(TaskState.TIMED_OUT);
            assertThat(slow.exception()).isInstanceOf(TimeoutException.class).hasMessageContaining("s/slow")
                    .hasMessageContaining("PT1S");
            assertThat(outcomes.get(1)).isEqualTo(new Outcome.Success<>("sibling", "fine"));
            assertThat(scope.isCancelled()).isFalse();
        }
    }

    @Test
    void perTaskTimeoutUnderAllSuccessfulFailsTheScopeSayingTheTaskTimedOut() throws Exception {
        var started = new CountDownLatch(1);
        try (var scope = Scope.named("s").timeSource(time).open(Join.<String>allSuccessful())) {
            scope.fork("slow", Duration.ofSeconds(1), () -> {
                started.countDown();
                return Waits.forever();
            });
            Waits.await(started);
            time.advance(Duration.ofSeconds(1));
            assertThatThrownBy(scope::join).isInstanceOf(ScopeFailedException.class)
                    .hasMessageContaining("task s/slow timed out")
                    .hasCauseInstanceOf(TimeoutException.class);
        }
    }

    @Test
    void nestedScopeInheritsTheParentsTighterDeadline() throws Exception {
        try (var outer = Scope.named("a").timeSource(time).deadline(Duration.ofSeconds(1)).open(Join.<String>allSettled())) {
            try (var inner = Scope.named("b").deadline(Duration.ofSeconds(5)).open(Join.<String>allSuccessful())) {
                Waits.forkRunning(inner, "t");
                assertThat(inner.remaining()).contains(Duration.ofSeconds(1));
                // when the parent's deadline passes
                time.advance(Duration.ofSeconds(1));
                // then the child times out, naming the scope that set the deadline
                assertThatThrownBy(inner::join).isInstanceOfSatisfying(ScopeTimeoutException.class, e -> {
                    assertThat(e.scopePath()).isEqualTo("a/b");
                    assertThat(e.deadline()).isEqualTo(Duration.ofSeconds(1));
                    assertThat(e.getMessage()).contains("inherited from scope a");
                });
            }
            outer.join();
        }
    }

    @Test
    void nestedScopeKeepsItsOwnTighterDeadlineWithoutStoppingTheParent() throws Exception {
        try (var outer = Scope.named("a").timeSource(time).deadline(Duration.ofSeconds(5)).open(Join.<String>allSettled())) {
            try (var inner = Scope.named("b").deadline(Duration.ofSeconds(1)).open(Join.<String>allSuccessful())) {
                Waits.forkRunning(inner, "t");
                assertThat(inner.remaining()).contains(Duration.ofSeconds(1));
                time.advance(Duration.ofSeconds(1));
                assertThatThrownBy(inner::join).isInstanceOfSatisfying(ScopeTimeoutException.class, e -> {
                    assertThat(e.scopePath()).isEqualTo("a/b");
                    assertThat(e.deadline()).isEqualTo(Duration.ofSeconds(1));
                });
            }
            assertThat(outer.isCancelled()).isFalse();
            assertThat(outer.remaining()).contains(Duration.ofSeconds(4));
            outer.join();
            assertThat(outer.state()).isEqualTo(ScopeState.SUCCEEDED);
        }
    }

    @Test
    void remainingTimeIsReadableInsideATask() throws Exception {
        var advanced = new CountDownLatch(1);
        try (var scope = Scope.named("s").timeSource(time).deadline(Duration.ofSeconds(10)).open(Join.<Duration>allSuccessful())) {
            scope.fork("t", () -> {
                Waits.await(advanced);
                return CurrentTask.remaining().orElseThrow();
            });
            time.advance(Duration.ofSeconds(3));
            advanced.countDown();
            assertThat(scope.join()).containsExactly(Duration.ofSeconds(7));
        }
    }

    @Test
    void remainingInsideATaskIsItsOwnTimeoutWhenThatIsTighter() throws Exception {
        try (var scope = Scope.named("s").timeSource(time).deadline(Duration.ofSeconds(10)).open(Join.<Duration>allSuccessful())) {
            scope.fork("t", Duration.ofSeconds(2), () -> CurrentTask.remaining().orElseThrow());
            assertThat(scope.join()).containsExactly(Duration.ofSeconds(2));
        }
    }

    @Test
    void remainingIsEmptyWithoutAnyDeadline() throws Exception {
        try (var scope = Scope.named("s").timeSource(time).open(Join.<Boolean>allSuccessful())) {
            scope.fork("t", () -> CurrentTask.remaining().isEmpty());
            assertThat(scope.join()).containsExactly(true);
            assertThat(scope.remaining()).isEmpty();
        }
    }

    @Test
    void expiredDeadlineCancelsTasksOfNestedScopesToo() throws Exception {
        var grandchildStarted = new CountDownLatch(1);
        var grandchildReason = new AtomicReference<CancellationReason>();
        try (var scope = Scope.named("a").timeSource(time).deadline(Duration.ofSeconds(1)).open(Join.<String>allSuccessful())) {
            scope.fork("t", () -> {
                try (var inner = Scope.named("b").open(Join.<String>allSuccessful())) {
                    inner.fork("leaf", () -> {
                        grandchildStarted.countDown();
                        try {
                            return Waits.forever();
                        } finally {
                            grandchildReason.set(CurrentTask.cancellationReason().orElse(null));
                        }
                    });
                    return inner.join().getFirst();
                }
            });
            Waits.await(grandchildStarted);
            time.advance(Duration.ofSeconds(1));
            assertThatThrownBy(scope::join).isInstanceOf(ScopeTimeoutException.class);
        }
        assertThat(grandchildReason.get().kind()).isEqualTo(CancellationReason.Kind.DEADLINE);
        assertThat(grandchildReason.get().detail()).contains("deadline of scope a").contains("inherited by a/t/b");
    }

    @Test
    void allSettledOnTimeoutReturnsPartialResultsAndTheRestTimedOut() throws Exception {
        var boom = new IllegalStateException("boom");
        try (var scope = Scope.named("s").timeSource(time).deadline(Duration.ofSeconds(2)).open(Join.<String>allSettled())) {
            var done = scope.fork("done", () -> "v");
            var failed = scope.fork("failed", () -> {
                throw boom;
            });
            Waits.forkRunning(scope, "slow");
            Waits.until(() -> done.state().isTerminal() && failed.state().isTerminal());
            time.advance(Duration.ofSeconds(2));
            var outcomes = scope.join();
            assertThat(outcomes.get(0)).isEqualTo(new Outcome.Success<>("done", "v"));
            assertThat(outcomes.get(1)).isEqualTo(new Outcome.Failure<>("failed", boom));
            assertThat(outcomes.get(2)).isInstanceOfSatisfying(Outcome.TimedOut.class,
                    t -> assertThat(t.reason().kind()).isEqualTo(CancellationReason.Kind.DEADLINE));
            assertThat(scope.state()).isEqualTo(ScopeState.TIMED_OUT);
        }
    }

    @Test
    void closingAScopeCancelsItsDeadlineTimer() throws Exception {
        try (var scope = Scope.named("s").timeSource(time).deadline(Duration.ofSeconds(2)).open(Join.<Integer>allSuccessful())) {
            scope.fork(() -> 1);
            assertThat(time.pendingTimers()).isEqualTo(1);
            scope.join();
        }
        assertThat(time.pendingTimers()).isZero();
    }

    @Test
    void scopeRemainingCountsDownWithTheTimeSource() throws Exception {
        try (var scope = Scope.named("s").timeSource(time).deadline(Duration.ofSeconds(2)).open(Join.<Integer>allSuccessful())) {
            time.advance(Duration.ofMillis(500));
            assertThat(scope.remaining()).contains(Duration.ofMillis(1500));
            scope.join();
        }
    }
}
