package dev.weft.scope;

import dev.weft.testing.Waits;

import dev.weft.time.ManualTimeSource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TasksForkingTasksTest {

    @Test
    void aTaskForkedByATaskRunsAndItsValueJoinsTheResultsInForkOrder() throws Exception {
        try (var scope = Scope.named("crawl").open(Join.<String>allSuccessful())) {
            scope.fork("root", () -> {
                scope.fork("spawned", () -> "child");
                return "parent";
            });
            assertThat(scope.join()).containsExactly("parent", "child");
        }
    }

    @Test
    void aFailingGrandTaskFailsTheScope() throws Exception {
        try (var scope = Scope.named("crawl").open(Join.<String>allSuccessful())) {
            scope.fork("root", () -> {
                scope.fork("spawned", () -> {
                    throw new IllegalStateException("grand failure");
                });
                return "parent";
            });
            assertThatThrownBy(scope::join).isInstanceOfSatisfying(ScopeFailedException.class,
                    e -> assertThat(e.taskPath()).isEqualTo("crawl/spawned"));
        }
    }

    @Test
    void joinDoesNotReturnBeforeSpawnedTasksFinish() throws Exception {
        var release = new CountDownLatch(1);
        var spawnedStarted = new CountDownLatch(1);
        var spawnedFinished = new AtomicBoolean();
        var joinReturnedAtRelease = new AtomicBoolean(true);
        var joinReturned = new AtomicBoolean();
        Thread owner = Thread.currentThread();
        try (var scope = Scope.named("crawl").open(Join.<String>allSuccessful())) {
            scope.fork("root", () -> {
                scope.fork("spawned", () -> {
                    spawnedStarted.countDown();
                    Waits.await(release);
                    spawnedFinished.set(true);
                    return "child";
                });
                return "parent";
            });
            var releaser = new Thread(() -> {
                try {
                    spawnedStarted.await();
                } catch (InterruptedException e) {
                    return;
                }
                Waits.until(() -> Waits.isWaiting(owner) || joinReturned.get());
                joinReturnedAtRelease.set(joinReturned.get());
                release.countDown();
            });
            releaser.start();
            var values = scope.join();
            joinReturned.set(true);
            releaser.join();
            assertThat(spawnedFinished).isTrue();
            assertThat(joinReturnedAtRelease).isFalse();
            assertThat(values).containsExactly("parent", "child");
        }
    }

    @Test
    void spawnedTasksObeyTheCap() throws Exception {
        var running = new AtomicInteger();
        var max = new AtomicInteger();
        try (var scope = Scope.named("crawl").maxConcurrency(2).open(Join.<Integer>allSuccessful())) {
            for (int i = 0; i < 10; i++) {
                scope.fork(() -> {
                    max.accumulateAndGet(running.incrementAndGet(), Math::max);
                    for (int j = 0; j < 3; j++) {
                        scope.fork(() -> {
                            max.accumulateAndGet(running.incrementAndGet(), Math::max);
                            running.decrementAndGet();
                            return 2;
                        });
                    }
                    running.decrementAndGet();
                    return 1;
                });
            }
            assertThat(scope.join()).hasSize(40);
        }
        assertThat(max.get()).isBetween(1, 2);
    }

    @Test
    void spawnedTasksObeyTheDeadline() throws Exception {
        var time = new ManualTimeSource();
        var spawnedStarted = new CountDownLatch(1);
        var spawned = new AtomicReference<Task<String>>();
        try (var scope = Scope.named("crawl").timeSource(time).deadline(Duration.ofSeconds(1)).open(Join.<String>allSettled())) {
            scope.fork("root", () -> {
                spawned.set(scope.fork("spawned", () -> {
                    spawnedStarted.countDown();
                    return Waits.forever();
                }));
                return "parent";
            });
            // spawned tasks start while the owner waits in join: the deadline fires from another thread
            var clock = new Thread(() -> {
                try {
                    spawnedStarted.await();
                } catch (InterruptedException e) {
                    return;
                }
                time.advance(Duration.ofSeconds(1));
            });
            clock.start();
            scope.join();
            clock.join();
        }
        assertThat(spawned.get().state()).isEqualTo(TaskState.TIMED_OUT);
    }

    @Test
    void aForkFromAnUnrelatedThreadThrowsWrongThreadException() throws Exception {
        var thrown = new AtomicReference<Throwable>();
        try (var scope = Scope.named("crawl").open(Join.<String>allSuccessful())) {
            var stranger = new Thread(() -> {
                try {
                    scope.fork("intruder", () -> "x");
                } catch (Throwable t) {
                    thrown.set(t);
                }
            }, "stranger");
            stranger.start();
            stranger.join();
            scope.join();
            assertThat(scope.tasks()).isEmpty();
        }
        assertThat(thrown.get()).isInstanceOf(WrongThreadException.class)
                .hasMessageContaining("stranger").hasMessageContaining("crawl")
                .hasMessageContaining("only its owner");
    }

    @Test
    void aTaskOfANestedScopeMayForkIntoTheEnclosingScope() throws Exception {
        try (var outer = Scope.named("a").open(Join.<String>allSuccessful())) {
            outer.fork("t", () -> {
                try (var inner = Scope.named("b").open(Join.<String>allSuccessful())) {
                    inner.fork("leaf", () -> {
                        outer.fork("fromLeaf", () -> "up");
                        return "leaf";
                    });
                    return inner.join().getFirst();
                }
            });
            assertThat(outer.join()).containsExactly("leaf", "up");
        }
    }

    @Test
    void aTaskForkingAfterItsStoppedScopeFinishedGetsACancelledTask() throws Exception {
        var release = new CountDownLatch(1);
        var interrupted = new CountDownLatch(1);
        var late = new AtomicReference<Task<String>>();
        var started = new CountDownLatch(1);
        try (var scope = Scope.named("late").open(Join.<String>allSuccessful())) {
            scope.fork("stubborn", () -> {
                started.countDown();
                Waits.ignoringInterrupts(release, interrupted);
                late.set(scope.fork("tooLate", () -> "x"));
                return "done";
            });
            Waits.await(started);
            scope.cancel("stop");
            assertThatThrownBy(scope::join).isInstanceOf(ScopeCancelledException.class);
            release.countDown();
        }
        assertThat(late.get().state()).isEqualTo(TaskState.CANCELLED);
        assertThat(late.get().cancellationReason()).get().extracting(CancellationReason::detail).isEqualTo("stop");
    }
}
