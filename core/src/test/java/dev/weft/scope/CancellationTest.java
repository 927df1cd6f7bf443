package dev.weft.scope;

import dev.weft.testing.Waits;

import dev.weft.time.ManualTimeSource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CancellationTest {

    /** A task that blocks until cancelled and then records the reason it reads from inside. */
    private static Callable0 recordingReason(CountDownLatch started, AtomicReference<CancellationReason> seen) {
        return () -> {
            started.countDown();
            try {
                return Waits.forever();
            } finally {
                seen.set(CurrentTask.cancellationReason().orElse(null));
            }
        };
    }

    interface Callable0 extends java.util.concurrent.Callable<String> {
    }

    @Test
    void explicitCancelFromAnotherThreadCancelsTasksWithItsReason() throws Exception {
        var started = new CountDownLatch(1);
        var seen = new AtomicReference<CancellationReason>();
        try (var scope = Scope.named("job").open(Join.<String>allSuccessful())) {
            var task = scope.fork("t", recordingReason(started, seen));
            var canceller = new Thread(() -> {
                try {
                    started.await();
                } catch (InterruptedException e) {
                    return;
                }
                scope.cancel("user pressed stop");
            });
            canceller.start();
            assertThatThrownBy(scope::join).isInstanceOfSatisfying(ScopeCancelledException.class, e -> {
                assertThat(e.reason().kind()).isEqualTo(CancellationReason.Kind.EXPLICIT);
                assertThat(e.reason().detail()).isEqualTo("user pressed stop");
            });
            canceller.join();
            assertThat(task.state()).isEqualTo(TaskState.CANCELLED);
            assertThat(scope.state()).isEqualTo(ScopeState.CANCELLED);
        }
        assertThat(seen.get()).isEqualTo(CancellationReason.explicit("user pressed stop"));
    }

    @Test
    void taskReadsDeadlineAsItsCancellationReason() throws Exception {
        var time = new ManualTimeSource();
        var started = new CountDownLatch(1);
        var seen = new AtomicReference<CancellationReason>();
        try (var scope = Scope.named("job").timeSource(time).deadline(Duration.ofSeconds(1)).open(Join.<String>allSuccessful())) {
            scope.fork("t", recordingReason(started, seen));
            Waits.await(started);
            time.advance(Duration.ofSeconds(1));
            assertThatThrownBy(scope::join).isInstanceOf(ScopeTimeoutException.class);
        }
        assertThat(seen.get().kind()).isEqualTo(CancellationReason.Kind.DEADLINE);
    }

    @Test
    void taskReadsSiblingFailureAsItsCancellationReasonWithTheCause() throws Exception {
        var started = new CountDownLatch(1);
        var seen = new AtomicReference<CancellationReason>();
        var boom = new IllegalStateException("boom");
        try (var scope = Scope.named("job").open(Join.<String>allSuccessful())) {
            scope.fork("t", recordingReason(started, seen));
            Waits.await(started);
            scope.fork("bad", () -> {
                throw boom;
            });
            assertThatThrownBy(scope::join).isInstanceOf(ScopeFailedException.class);
        }
        assertThat(seen.get().kind()).isEqualTo(CancellationReason.Kind.SIBLING_FAILED);
        assertThat(seen.get().cause()).isSameAs(boom);
        assertThat(seen.get().detail()).contains("job/bad");
    }

    @Test
    void cancellingAParentCancelsChildScopeTasksWithParentCancelled() throws Exception {
        var started = new CountDownLatch(1);
        var seen = new AtomicReference<CancellationReason>();
        try (var scope = Scope.named("a").open(Join.<String>allSuccessful())) {
            scope.fork("t", () -> {
                try (var inner = Scope.named("b").open(Join.<String>allSuccessful())) {
                    inner.fork("leaf", recordingReason(started, seen));
                    return inner.join().getFirst();
                }
            });
            Waits.await(started);
            scope.cancel("stop everything");
            assertThatThrownBy(scope::join).isInstanceOf(ScopeCancelledException.class);
        }
        assertThat(seen.get().kind()).isEqualTo(CancellationReason.Kind.PARENT_CANCELLED);
        assertThat(seen.get().detail()).contains("enclosing scope a").contains("stop everything");
    }

    @Test
    void cancellingAScopeReachesTasksOfGrandchildScopes() throws Exception {
        var started = new CountDownLatch(1);
        var seen = new AtomicReference<CancellationReason>();
        try (var scope = Scope.named("a").open(Join.<String>allSuccessful())) {
            scope.fork("t", () -> {
                try (var b = Scope.named("b").open(Join.<String>allSuccessful())) {
                    b.fork("u", () -> {
                        try (var c = Scope.named("c").open(Join.<String>allSuccessful())) {
                            c.fork("leaf", recordingReason(started, seen));
                            return c.join().getFirst();
                        }
                    });
                    return b.join().getFirst();
                }
            });
            Waits.await(started);
            scope.cancel("deep stop");
            assertThatThrownBy(scope::join).isInstanceOf(ScopeCancelledException.class);
        }
        assertThat(seen.get().kind()).isEqualTo(CancellationReason.Kind.PARENT_CANCELLED);
        assertThat(seen.get().detail()).contains("enclosing scope a/t/b").contains("deep stop");
    }

    @Test
    void shutdownCancelsTasksWithTheShutdownReason() throws Exception {
        var started = new CountDownLatch(1);
        var seen = new AtomicReference<CancellationReason>();
        try (var scope = Scope.named("job").open(Join.<String>allSuccessful())) {
            scope.fork("t", recordingReason(started, seen));
            Waits.await(started);
            scope.cancel(CancellationReason.shutdown("runtime stopping"));
            assertThatThrownBy(scope::join).isInstanceOfSatisfying(ScopeCancelledException.class,
                    e -> assertThat(e.reason().kind()).isEqualTo(CancellationReason.Kind.SHUTDOWN));
        }
        assertThat(seen.get()).isEqualTo(CancellationReason.shutdown("runtime stopping"));
    }

    @Test
    void theFirstCancellationReasonWinsAndLaterOnesAreIgnored() throws Exception {
        try (var scope = Scope.named("job").open(Join.<String>allSuccessful())) {
            scope.cancel("first");
            scope.cancel("second");
            scope.cancel(CancellationReason.shutdown("third"));
            assertThat(scope.cancellationReason()).contains(CancellationReason.explicit("first"));
            assertThatThrownBy(scope::join).isInstanceOf(ScopeCancelledException.class).hasMessageContaining("first");
        }
    }

    @Test
    void aTaskThatThrowsBecauseItWasCancelledIsCancelledNotFailed() throws Exception {
        var started = new CountDownLatch(1);
        try (var scope = Scope.named("job").open(Join.<String>allSettled())) {
            var task = scope.fork("t", () -> {
                started.countDown();
                try {
                    return Waits.forever();
                } catch (InterruptedException e) {
                    throw new IllegalStateException("interrupted, giving up");
                }
            });
            Waits.await(started);
            scope.cancel("stop");
            assertThatThrownBy(scope::join).isInstanceOf(ScopeCancelledException.class);
            scope.close();
            assertThat(task.state()).isEqualTo(TaskState.CANCELLED);
        }
    }

    @Test
    void aRunningTaskIsNotCancelledUntilItsScopeStops() throws Exception {
        try (var scope = Scope.named("job").open(Join.<Boolean>allSuccessful())) {
            scope.fork("t", CurrentTask::isCancelled);
            assertThat(scope.join()).containsExactly(false);
            assertThat(scope.cancellationReason()).isEmpty();
        }
    }

    @Test
    void scopeOpenedInsideACancelledScopeStartsCancelledAndItsForksAreCancelled() throws Exception {
        try (var outer = Scope.named("a").open(Join.<String>allSuccessful())) {
            outer.cancel("gone");
            try (var inner = Scope.named("b").open(Join.<String>allSuccessful())) {
                assertThat(inner.cancellationReason().orElseThrow().kind())
                        .isEqualTo(CancellationReason.Kind.PARENT_CANCELLED);
                var task = inner.fork("never", () -> "ran");
                assertThat(task.state()).isEqualTo(TaskState.CANCELLED);
                assertThatThrownBy(inner::join).isInstanceOf(ScopeCancelledException.class);
            }
            assertThatThrownBy(outer::join).isInstanceOf(ScopeCancelledException.class);
        }
    }

    @Test
    void currentTaskOutsideATaskAnswersNoTask() {
        assertThat(CurrentTask.isPresent()).isFalse();
        assertThat(CurrentTask.path()).isEmpty();
        assertThat(CurrentTask.scope()).isEmpty();
        assertThat(CurrentTask.cancellationReason()).isEmpty();
        assertThat(CurrentTask.remaining()).isEmpty();
    }
}
