package dev.weft.scope;

import dev.weft.testing.Waits;

import dev.weft.time.ManualTimeSource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FailureReportingTest {

    @Test
    void theFirstFailureInCompletionOrderIsTheCauseNotTheFirstForked() throws Exception {
        var second = new IllegalStateException("forked first, failed second");
        var first = new IllegalArgumentException("forked second, failed first");
        try (var scope = Scope.named("race").open(Join.<String>anySuccessful())) {
            var early = new java.util.concurrent.atomic.AtomicReference<Task<String>>();
            var ready = new CountDownLatch(1);
            scope.fork("a", () -> {
                Waits.await(ready);
                Waits.until(() -> early.get().state().isTerminal());
                throw second;
            });
            early.set(scope.fork("b", () -> {
                throw first;
            }));
            ready.countDown();
            assertThatThrownBy(scope::join).isInstanceOfSatisfying(ScopeFailedException.class, e -> {
                assertThat(e.getCause()).isSameAs(first);
                assertThat(e.taskPath()).isEqualTo("race/b");
            });
        }
    }

    @Test
    void everyLaterFailureIsAttachedAsSuppressedNamingItsTaskInCompletionOrder() throws Exception {
        try (var scope = Scope.named("race").open(Join.<String>anySuccessful())) {
            var x = scope.fork("x", () -> {
                throw new IllegalStateException("x");
            });
            var y = scope.fork("y", () -> {
                Waits.until(() -> x.state().isTerminal());
                throw new IllegalStateException("y");
            });
            scope.fork("z", () -> {
                Waits.until(() -> y.state().isTerminal());
                throw new IllegalStateException("z");
            });
            assertThatThrownBy(scope::join).isInstanceOfSatisfying(ScopeFailedException.class, e -> {
                assertThat(e.getCause()).hasMessage("x");
                assertThat(e.getSuppressed()).hasSize(2);
                assertThat(e.getSuppressed()).allSatisfy(s -> assertThat(s).isInstanceOf(ScopeFailedException.class));
                assertThat(((ScopeFailedException) e.getSuppressed()[0]).taskPath()).isEqualTo("race/y");
                assertThat(((ScopeFailedException) e.getSuppressed()[1]).taskPath()).isEqualTo("race/z");
                assertThat(e.getSuppressed()[1].getCause()).hasMessage("z");
            });
        }
    }

    @Test
    void failureInANestedScopeNamesTheFullPath() throws Exception {
        try (var checkout = Scope.named("checkout").open(Join.<String>allSuccessful())) {
            checkout.fork("price", () -> {
                try (var pricing = Scope.named("pricing").open(Join.<String>allSuccessful())) {
                    pricing.fork("vendorA", () -> {
                        throw new IllegalStateException("vendor down");
                    });
                    return pricing.join().getFirst();
                }
            });
            assertThatThrownBy(checkout::join).isInstanceOfSatisfying(ScopeFailedException.class, e -> {
                assertThat(e.taskPath()).isEqualTo("checkout/price");
                assertThat(e.getCause()).isInstanceOfSatisfying(ScopeFailedException.class, inner -> {
                    assertThat(inner.taskPath()).isEqualTo("checkout/price/pricing/vendorA");
                    assertThat(inner.scopePath()).isEqualTo("checkout/price/pricing");
                    assertThat(inner.getMessage()).contains("checkout/price/pricing/vendorA").contains("vendor down");
                });
            });
        }
    }

    @Test
    void cancellationsCausedByTheFailureAreNotReportedAsFailures() throws Exception {
        var started = new CountDownLatch(1);
        try (var scope = Scope.named("job").open(Join.<String>allSuccessful())) {
            var victim = scope.fork("victim", () -> {
                started.countDown();
                try {
                    return Waits.forever();
                } catch (InterruptedException e) {
                    throw new IllegalStateException("victim interrupted");
                }
            });
            Waits.await(started);
            scope.fork("culprit", () -> {
                throw new IllegalArgumentException("culprit");
            });
            assertThatThrownBy(scope::join).isInstanceOfSatisfying(ScopeFailedException.class, e -> {
                assertThat(e.getCause()).hasMessage("culprit");
                assertThat(e.getSuppressed()).isEmpty();
            });
            scope.close();
            assertThat(victim.state()).isEqualTo(TaskState.CANCELLED);
        }
    }

    @Test
    void failureMessageNamesTheScopePathAndTheTaskPath() throws Exception {
        try (var scope = Scope.named("checkout").open(Join.<String>allSuccessful())) {
            scope.fork("bad", () -> {
                throw new IllegalStateException("boom");
            });
            assertThatThrownBy(scope::join).isInstanceOfSatisfying(ScopeFailedException.class, e -> {
                assertThat(e.scopePath()).isEqualTo("checkout");
                assertThat(e.taskPath()).isEqualTo("checkout/bad");
                assertThat(e.getMessage()).isEqualTo("task checkout/bad failed: java.lang.IllegalStateException: boom");
            });
        }
    }

    @Test
    void readingAValueOfAFailedTaskSaysWhatStateItIsIn() throws Exception {
        try (var scope = Scope.named("s").open(Join.<String>allSettled())) {
            var bad = scope.fork("bad", () -> {
                throw new IllegalStateException("boom");
            });
            var good = scope.fork("good", () -> "v");
            scope.join();
            assertThatThrownBy(bad::get).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("s/bad").hasMessageContaining("FAILED");
            assertThatThrownBy(good::exception).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("SUCCEEDED");
        }
    }

    @Test
    void aTimedOutTaskIsReportedAsTimedOutAmongTheFailures() throws Exception {
        var time = new ManualTimeSource();
        var started = new CountDownLatch(1);
        try (var scope = Scope.named("race").timeSource(time).open(Join.<String>anySuccessful())) {
            var slow = scope.fork("slow", Duration.ofSeconds(1), () -> {
                started.countDown();
                return Waits.forever();
            });
            scope.fork("bad", () -> {
                Waits.until(() -> slow.state().isTerminal());
                throw new IllegalStateException("bad");
            });
            Waits.await(started);
            time.advance(Duration.ofSeconds(1));
            assertThatThrownBy(scope::join).isInstanceOfSatisfying(ScopeFailedException.class, e -> {
                assertThat(e.getMessage()).contains("race/slow timed out");
                assertThat(e.getSuppressed()).hasSize(1);
            });
        }
    }
}
