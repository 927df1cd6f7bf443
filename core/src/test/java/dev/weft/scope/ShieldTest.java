package dev.weft.scope;

import dev.weft.testing.Waits;

import dev.weft.time.ManualTimeSource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ShieldTest {

    private final ManualTimeSource time = new ManualTimeSource();

    @Test
    void shieldedCleanupIsNotInterruptedWhenItsTaskIsCancelled() throws Exception {
        var started = new CountDownLatch(1);
        var inCleanup = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        var cleanup = new AtomicReference<String>();
        try (var scope = Scope.named("s").timeSource(time).open(Join.<String>allSuccessful())) {
            scope.fork("t", () -> {
                started.countDown();
                try {
                    return Waits.forever();
                } finally {
                    CurrentTask.shielded(Duration.ofSeconds(30), () -> {
                        inCleanup.countDown();
                        try {
                            release.await();
                            cleanup.set("completed");
                        } catch (InterruptedException e) {
                            cleanup.set("interrupted");
                        }
                        return null;
                    });
                }
            });
            Waits.await(started);
            // when the scope is cancelled, and join (which makes the JDK interrupt the task again) returns
            scope.cancel("stop");
            Waits.await(inCleanup);
            assertThatThrownBy(scope::join).isInstanceOf(ScopeCancelledException.class);
            release.countDown();
        }
        // then the cleanup ran to its end
        assertThat(cleanup.get()).isEqualTo("completed");
    }

    @Test
    void cancellationDuringAShieldedCleanupIsDeliveredWhenItReturns() throws Exception {
        var inCleanup = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        var interruptedAfter = new AtomicBoolean();
        try (var scope = Scope.named("s").timeSource(time).open(Join.<String>allSuccessful())) {
            scope.fork("t", () -> {
                CurrentTask.shielded(Duration.ofSeconds(30), () -> {
                    inCleanup.countDown();
                    release.await();
                    return null;
                });
                interruptedAfter.set(Thread.currentThread().isInterrupted());
                return "done";
            });
            Waits.await(inCleanup);
            scope.cancel("stop"); // interrupts the task while it waits for the cleanup
            release.countDown();
            assertThatThrownBy(scope::join).isInstanceOf(ScopeCancelledException.class);
        }
        assertThat(interruptedAfter).isTrue();
    }

    @Test
    void closeWaitsForAShieldedCleanup() throws Exception {
        var started = new CountDownLatch(1);
        var inCleanup = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        var cleanupDone = new AtomicBoolean();
        var closeReturned = new AtomicBoolean();
        var closeReturnedAtRelease = new AtomicBoolean(true);
        var scope = Scope.named("s").timeSource(time).open(Join.<String>allSuccessful());
        scope.fork("t", () -> {
            started.countDown();
            try {
                return Waits.forever();
            } finally {
                CurrentTask.shielded(Duration.ofSeconds(30), () -> {
                    inCleanup.countDown();
                    release.await();
                    cleanupDone.set(true);
                    return null;
                });
            }
        });
        Waits.await(started);
        var releaser = new Thread(() -> {
            try {
                inCleanup.await();
            } catch (InterruptedException e) {
                return;
            }
            closeReturnedAtRelease.set(closeReturned.get());
            release.countDown();
        });
        releaser.start();
        scope.close(); // cancels with OWNER_EXITED, then waits
        closeReturned.set(true);
        releaser.join();
        assertThat(closeReturnedAtRelease).isFalse();
        assertThat(cleanupDone).isTrue();
    }

    @Test
    void shieldedCleanupIsInterruptedWhenItsBoundPasses() throws Exception {
        var inCleanup = new CountDownLatch(1);
        try (var scope = Scope.named("s").timeSource(time).open(Join.<String>allSuccessful())) {
            scope.fork("t", () -> {
                try {
                    return CurrentTask.shielded(Duration.ofSeconds(2), () -> {
                        inCleanup.countDown();
                        return Waits.<String>forever();
                    });
                } catch (InterruptedException e) {
                    return "cut off at the bound";
                }
            });
            Waits.await(inCleanup);
            time.advance(Duration.ofSeconds(2));
            assertThat(scope.join()).containsExactly("cut off at the bound");
        }
    }

    @Test
    void shieldedCleanupRunsInTheTasksThreadAndSeesItsTask() throws Exception {
        try (var scope = Scope.named("s").timeSource(time).open(Join.<String>allSuccessful())) {
            scope.fork("t", () -> CurrentTask.shielded(Duration.ofSeconds(1),
                    () -> Thread.currentThread().getName() + " " + CurrentTask.path().orElse("?")));
            assertThat(scope.join()).containsExactly("s/t s/t");
        }
    }

    @Test
    void shieldedReturnsTheCleanupsValueOutsideATask() throws Exception {
        assertThat(CurrentTask.shielded(Duration.ofSeconds(5), () -> 42)).isEqualTo(42);
    }

    @Test
    void shieldedRethrowsWhatTheCleanupThrew() {
        var boom = new java.io.IOException("disk gone");
        assertThatThrownBy(() -> CurrentTask.shielded(Duration.ofSeconds(5), () -> {
            throw boom;
        })).isSameAs(boom);
    }

    @Test
    void aScopeOpenedInShieldedCleanupIsNotCancelledByTheTasksCancellation() throws Exception {
        var inTask = new CountDownLatch(1);
        var cleanupResult = new java.util.concurrent.atomic.AtomicReference<Object>();
        try (var scope = Scope.named("s").timeSource(time).open(Join.<String>allSettled())) {
            scope.fork("t", () -> {
                try {
                    inTask.countDown();
                    return Waits.forever();
                } finally {
                    cleanupResult.set(CurrentTask.shielded(Duration.ofSeconds(5), () -> {
                        try (var cleanup = Scope.named("cleanup").open(Join.<String>allSuccessful())) {
                            cleanup.fork("delete", () -> "deleted");
                            return cleanup.join();
                        }
                    }));
                }
            });
            Waits.await(inTask);
            scope.cancel("stop");
            org.assertj.core.api.Assertions.assertThatThrownBy(scope::join).isInstanceOf(ScopeCancelledException.class);
        }
        assertThat(cleanupResult.get()).isEqualTo(java.util.List.of("deleted"));
    }

    @Test
    void aRetryInShieldedCleanupMakesItsAttempts() throws Exception {
        var inTask = new CountDownLatch(1);
        var attempts = new java.util.concurrent.atomic.AtomicInteger();
        var cleanupResult = new java.util.concurrent.atomic.AtomicReference<Object>();
        try (var scope = Scope.named("s").open(Join.<String>allSettled())) {
            scope.fork("t", () -> {
                try {
                    inTask.countDown();
                    return Waits.forever();
                } finally {
                    cleanupResult.set(CurrentTask.shielded(Duration.ofSeconds(5), () ->
                            Retry.attempts(3).backoff(Duration.ofMillis(1), 1.0, Duration.ofMillis(1))
                                    .attemptTimeout(Duration.ofSeconds(5)).call(() -> {
                                        if (attempts.incrementAndGet() < 3) {
                                            throw new java.io.IOException("flaky");
                                        }
                                        return "released";
                                    })));
                }
            });
            Waits.await(inTask);
            scope.cancel("stop");
            org.assertj.core.api.Assertions.assertThatThrownBy(scope::join).isInstanceOf(ScopeCancelledException.class);
        }
        assertThat(cleanupResult.get()).isEqualTo("released");
        assertThat(attempts).hasValue(3);
    }
}
