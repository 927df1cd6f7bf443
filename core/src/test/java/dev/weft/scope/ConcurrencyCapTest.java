package dev.weft.scope;

import dev.weft.testing.Waits;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

class ConcurrencyCapTest {

    @Test
    void forkBeyondTheCapWaitsWithoutStartingTheTask() throws Exception {
        var secondStarted = new AtomicBoolean();
        var stateWhileFirstRuns = new AtomicReference<TaskState>();
        try (var scope = Scope.named("cap").maxConcurrency(1).open(Join.<Integer>allSuccessful())) {
            scope.fork("first", () -> {
                // the owner is now blocked forking "second"; it must be registered but not started
                Waits.until(() -> scope.tasks().size() == 2);
                stateWhileFirstRuns.set(scope.tasks().get(1).state());
                assertThat(secondStarted).isFalse();
                return 1;
            });
            scope.fork("second", () -> {
                secondStarted.set(true);
                return 2;
            });
            assertThat(scope.join()).containsExactly(1, 2);
        }
        assertThat(stateWhileFirstRuns.get()).isEqualTo(TaskState.QUEUED);
    }

    @Test
    void aHundredThousandTasksUnderACapOf64NeverRunMoreThan64AtOnce() throws Exception {
        var running = new AtomicInteger();
        var max = new AtomicInteger();
        var ran = new AtomicInteger();
        try (var scope = Scope.named("many").maxConcurrency(64).open(Join.<Void>allSettled())) {
            for (int i = 0; i < 100_000; i++) {
                scope.fork(() -> {
                    int now = running.incrementAndGet();
                    max.accumulateAndGet(now, Math::max);
                    ran.incrementAndGet();
                    running.decrementAndGet();
                    return null;
                });
            }
            scope.join();
        }
        assertThat(ran).hasValue(100_000);
        assertThat(max.get()).isBetween(1, 64);
    }

    @Test
    void aTaskForkedByATaskIsQueuedWhileTheCapIsTaken() throws Exception {
        var childState = new AtomicReference<TaskState>();
        try (var scope = Scope.named("cap").maxConcurrency(1).open(Join.<Integer>allSuccessful())) {
            scope.fork("parent", () -> {
                var child = scope.fork("child", () -> 2);
                childState.set(child.state()); // fork by a task returns at once, without a slot
                return 1;
            });
            assertThat(scope.join()).containsExactly(1, 2);
        }
        assertThat(childState.get()).isEqualTo(TaskState.QUEUED);
    }

    @Test
    void cancellingWhileTheOwnerWaitsForASlotSettlesTheForkCancelledWithoutRunningIt() throws Exception {
        var ran = new AtomicBoolean();
        try (var scope = Scope.named("cap").maxConcurrency(1).open(Join.<Integer>allSuccessful())) {
            Waits.forkRunning(scope, "holder");
            var canceller = new Thread(() -> {
                Waits.until(() -> scope.tasks().size() == 2);
                scope.cancel("enough");
            });
            canceller.start();
            var waiting = scope.fork("waiting", () -> {
                ran.set(true);
                return 2;
            });
            canceller.join();
            assertThat(waiting.state()).isEqualTo(TaskState.CANCELLED);
            scope.close();
        }
        assertThat(ran).isFalse();
    }

    /**
     * Regression: the owner's wait condition takes a slot when it answers true; a slot taken by the re-check
     * after the owner announced it would park was once dropped, so slots leaked until the owner parked forever
     * with no task left to wake it. Many tight races between task exits and the owner's checks expose it.
     */
    @Test
    @Timeout(60)
    void theOwnerNeverLosesASlotWhileWaitingForOneUnderTheCap() throws Exception {
        for (int round = 0; round < 40; round++) {
            try (var scope = Scope.named("tight").maxConcurrency(2).open(Join.<Integer>allSuccessful())) {
                for (int i = 0; i < 2_000; i++) {
                    scope.fork(() -> 1);
                }
                assertThat(scope.join()).hasSize(2_000);
            }
        }
    }

    @Test
    void maxConcurrencyReportsTheCapOrZeroWithoutOne() throws Exception {
        try (var capped = Scope.named("a").maxConcurrency(3).open(Join.<Integer>allSuccessful())) {
            assertThat(capped.maxConcurrency()).isEqualTo(3);
            capped.join();
        }
        try (var free = Scope.named("b").open(Join.<Integer>allSuccessful())) {
            assertThat(free.maxConcurrency()).isZero();
            free.join();
        }
    }
}
