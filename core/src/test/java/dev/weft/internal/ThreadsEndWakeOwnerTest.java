package dev.weft.internal;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * The JDK behaviour behind {@link StructuredThreads#OWNER_UNPARKED_WHEN_THREADS_END}: a platform owner parked
 * outside the JDK's join is unparked when the last thread of its scope ends. If a JDK update dropped it, a
 * platform owner's join would wait for its timed fallback on every join; this test fails instead.
 */
class ThreadsEndWakeOwnerTest {

    @Test
    void theLastThreadToEndUnparksAnOwnerParkedOutsideJoin() throws InterruptedException {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicBoolean ownerWoke = new AtomicBoolean();
        // a platform owner, as the runtime relies on the wake-up only for those
        Thread owner = Thread.ofPlatform().name("threads-end-owner").daemon(true).start(() -> {
            try (var threads = new StructuredThreads("threads-end", () -> false)) {
                Thread self = Thread.currentThread();
                AtomicReference<Thread> task = new AtomicReference<>();
                AtomicBoolean ownerParking = new AtomicBoolean();
                CountDownLatch started = new CountDownLatch(1);
                threads.start(() -> {
                    task.set(Thread.currentThread());
                    started.countDown();
                    // end only once the owner is parked below, so that only an unpark lets it go on
                    while (!ownerParking.get() || self.getState() != Thread.State.WAITING) {
                        Thread.onSpinWait();
                    }
                    return null;
                });
                started.await();
                ownerParking.set(true);
                // nothing in this test unparks the owner; a spurious return re-checks and parks again
                while (task.get().isAlive()) {
                    LockSupport.park(this);
                }
                ownerWoke.set(true);
                threads.awaitThreads(false);
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> owner.join(),
                "the owner stayed parked after its scope's threads ended: the JDK no longer unparks it");
        assertThat(failure.get()).isNull();
        assertThat(ownerWoke.get()).isTrue();
    }
}
