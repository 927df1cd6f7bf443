package dev.weft.scope;

import dev.weft.testing.Waits;
import dev.weft.time.ManualTimeSource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What a stop guarantees: no task left behind, one interrupt, the right reason for the right owner. */
class StopTest {

    @Test
    void tasksForkedWhileTheScopeStopsAreNeverLeftQueued() throws Exception {
        for (int round = 0; round < 50; round++) {
            var forkedEnough = new CountDownLatch(100);
            List<Outcome<Integer>> outcomes;
            Scope<Integer, List<Outcome<Integer>>> scope;
            try (var s = Scope.named("spawner").open(Join.<Integer>allSettled())) {
                scope = s;
                s.fork("spawner", () -> {
                    for (int i = 0; i < 2_000; i++) { // keeps forking through the cancel, ignoring it
                        s.fork(() -> 1);
                        forkedEnough.countDown();
                    }
                    return 0;
                });
                Waits.await(forkedEnough);
                s.cancel("enough");
                assertThatThrownBy(s::join).isInstanceOf(ScopeCancelledException.class);
            }
            for (Task<Integer> task : scope.tasks()) {
                assertThat(task.state().isTerminal()).as("%s after close", task).isTrue();
            }
        }
    }

    @Test
    void anAllSettledJoinAfterADeadlineNeverMeetsAnUnendedTask() throws Exception {
        var time = new ManualTimeSource();
        for (int round = 0; round < 20; round++) {
            var forkedEnough = new CountDownLatch(100);
            try (var s = Scope.named("spawner").timeSource(time).deadline(Duration.ofSeconds(1))
                    .open(Join.<Integer>allSettled())) {
                s.fork("spawner", () -> {
                    for (int i = 0; i < 2_000; i++) {
                        s.fork(() -> 1);
                        forkedEnough.countDown();
                    }
                    return 0;
                });
                Waits.await(forkedEnough);
                time.advance(Duration.ofSeconds(1));
                List<Outcome<Integer>> outcomes = s.join(); // no "task has not ended"
                assertThat(outcomes).isNotEmpty();
            }
        }
    }

    @Test
    void anUnboundedSpawnerDoesNotKeepJoinFromReturningOnceTheScopeStopped() throws Exception {
        var stopSpawning = new AtomicBoolean();
        var spawned = new CountDownLatch(1_000);
        try (var scope = Scope.named("unbounded").open(Join.<Integer>allSettled())) {
            scope.fork("spawner", () -> {
                while (!stopSpawning.get()) { // ignores its interrupt: only the flag ends it
                    scope.fork(() -> 1);
                    spawned.countDown();
                    Thread.yield(); // a spawner does some work between forks; on one carrier it must let others run
                }
                return 0;
            });
            Waits.await(spawned);
            scope.cancel("enough");
            assertThatThrownBy(scope::join).isInstanceOf(ScopeCancelledException.class);
            stopSpawning.set(true); // lets close finish
        }
    }

    @Test
    void theOwnerOfANestedScopeGetsItsParentsCancellationNotAnInterrupt() throws Exception {
        for (int round = 0; round < 200; round++) {
            Throwable seen = whatTheNestedOwnerSees(Scope.named("outer"), outer -> {
                outer.cancel("stop everything");
                assertThatThrownBy(outer::join).isInstanceOf(ScopeCancelledException.class);
            });
            assertThat(seen).as("round %d", round).isInstanceOfSatisfying(ScopeCancelledException.class,
                    e -> assertThat(e.reason().kind()).isEqualTo(CancellationReason.Kind.PARENT_CANCELLED));
        }
    }

    @Test
    void theOwnerOfANestedScopeGetsTheTimeoutOfTheScopeWhoseDeadlinePassed() throws Exception {
        var time = new ManualTimeSource();
        for (int round = 0; round < 100; round++) {
            Throwable seen = whatTheNestedOwnerSees(
                    Scope.named("outer").timeSource(time).deadline(Duration.ofSeconds(1)), outer -> {
                        time.advance(Duration.ofSeconds(1));
                        outer.join();
                    });
            assertThat(seen).as("round %d", round).isInstanceOfSatisfying(ScopeTimeoutException.class,
                    e -> assertThat(e.getMessage()).contains("inherited from scope outer"));
        }
    }

    private interface OuterStop {
        void stop(Scope<String, List<Outcome<String>>> outer) throws Exception;
    }

    /**
     * Opens {@code outer}, whose task owns a nested scope and waits in its join; once the nested task runs,
     * stops the outer scope with {@code stop}; returns what the nested owner's join threw.
     */
    private static Throwable whatTheNestedOwnerSees(Scope.Builder outerScope, OuterStop stop) throws Exception {
        var innerWaiting = new CountDownLatch(1);
        var seen = new AtomicReference<Throwable>();
        try (var outer = outerScope.open(Join.<String>allSettled())) {
            outer.fork("t", () -> {
                try (var inner = Scope.named("inner").open(Join.<String>allSuccessful())) {
                    inner.fork("leaf", () -> {
                        innerWaiting.countDown();
                        return Waits.forever();
                    });
                    inner.join();
                } catch (Throwable e) {
                    seen.set(e);
                    throw e;
                }
                return "unreachable";
            });
            Waits.await(innerWaiting);
            stop.stop(outer);
        }
        return seen.get();
    }

    @Test
    void aCancelledTaskIsInterruptedOnceSoCleanupAfterTheInterruptRunsToItsEnd() throws Exception {
        var cleanupStarted = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        var cleanup = new AtomicReference<String>("not run");
        var started = new CountDownLatch(1);
        try (var scope = Scope.named("once").open(Join.<String>allSuccessful())) {
            scope.fork("t", () -> {
                try {
                    started.countDown();
                    return Waits.forever();
                } catch (InterruptedException first) {
                    cleanupStarted.countDown();
                    try {
                        release.await(); // cleanup that blocks after the first interrupt
                        cleanup.set("ran to its end");
                    } catch (InterruptedException second) {
                        cleanup.set("interrupted a second time");
                    }
                    throw first;
                }
            });
            Thread owner = Thread.currentThread();
            var releaser = Thread.ofPlatform().start(() -> {
                try {
                    Waits.await(cleanupStarted);
                    Waits.until(() -> Waits.isWaiting(owner)); // the owner is in close, waiting for the task
                    release.countDown();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            Waits.await(started);
            scope.cancel("stop");
            assertThatThrownBy(scope::join).isInstanceOf(ScopeCancelledException.class);
            scope.close();
            releaser.join();
        }
        assertThat(cleanup.get()).isEqualTo("ran to its end");
    }

    @Test
    void settlingManyTasksAfterADeadlineBuildsNoExceptionPerTask() throws Exception {
        var time = new ManualTimeSource();
        int n = 20_000;
        var started = new CountDownLatch(n);
        var mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long allocated;
        try (var scope = Scope.named("many").timeSource(time).deadline(Duration.ofSeconds(1))
                .open(Join.<Integer>allSettled())) {
            for (int i = 0; i < n; i++) {
                scope.fork(() -> {
                    started.countDown();
                    return Waits.forever();
                });
            }
            Waits.await(started);
            time.advance(Duration.ofSeconds(1));
            long before = mx.getCurrentThreadAllocatedBytes();
            List<Outcome<Integer>> outcomes = scope.join();
            allocated = mx.getCurrentThreadAllocatedBytes() - before;
            assertThat(outcomes).hasSize(n).allMatch(o -> o instanceof Outcome.TimedOut<Integer>);
        }
        // a TimeoutException with its stack trace is well over 1 KB; settling needs under 200 bytes a task
        assertThat(allocated / n).as("bytes allocated by join per task").isLessThan(400);
    }

    @Test
    void aTimedOutTasksExceptionIsMadeOnceAndNamesTheDeadline() throws Exception {
        var time = new ManualTimeSource();
        try (var scope = Scope.named("lazy").timeSource(time).deadline(Duration.ofSeconds(1))
                .open(Join.<Integer>allSettled())) {
            Task<Integer> task = Waits.forkRunning(scope, "slow");
            time.advance(Duration.ofSeconds(1));
            scope.join();
            assertThat(task.exception()).isSameAs(task.exception()).hasMessageContaining("deadline of scope lazy");
        }
    }

    @Test
    void aForkByATaskIntoAStoppedScopeReturnsACancelledTask() throws Exception {
        var forked = new AtomicReference<Task<Integer>>();
        var cancelled = new CountDownLatch(1);
        var forkedLate = new CountDownLatch(1);
        var started = new CountDownLatch(1);
        var count = new AtomicInteger();
        try (var scope = Scope.named("late").open(Join.<Integer>allSettled())) {
            scope.fork("forker", () -> {
                started.countDown();
                Waits.ignoringInterrupts(cancelled, new CountDownLatch(1));
                forked.set(scope.fork(() -> count.incrementAndGet()));
                forkedLate.countDown();
                return 0;
            });
            Waits.await(started);
            scope.cancel("stop");
            cancelled.countDown();
            Waits.await(forkedLate);
            assertThatThrownBy(scope::join).isInstanceOf(ScopeCancelledException.class);
        }
        assertThat(forked.get().state()).isEqualTo(TaskState.CANCELLED);
        assertThat(count).hasValue(0);
    }
}
