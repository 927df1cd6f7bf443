package dev.weft.scope;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An owner waiting for a run slot parks: it never holds its carrier while the tasks that would free the slot
 * wait for one. The build runs this class on a virtual owner and on a single carrier as well (core/pom.xml).
 */
class CappedOwnerWaitTest {

    /** As many virtual owners as carriers, each with a capped scope whose tasks fork tasks. */
    @Test
    void cappedScopesWhoseTasksForkTasksFinishWithAsManyOwnersAsCarriers() throws Exception {
        int carriers = Integer.getInteger("jdk.virtualThreadScheduler.parallelism",
                Runtime.getRuntime().availableProcessors());
        var done = new AtomicInteger();
        var failures = new ConcurrentLinkedQueue<Throwable>();
        List<Thread> owners = new ArrayList<>();
        long start = System.nanoTime();
        for (int j = 0; j < carriers; j++) {
            String name = "crawl" + j;
            owners.add(Thread.ofVirtual().name("owner-" + j).start(() -> {
                try (var scope = Scope.named(name).maxConcurrency(4).open(Join.<Integer>allSuccessful())) {
                    for (int i = 0; i < 8; i++) {
                        scope.fork(() -> {
                            scope.fork(() -> {
                                Thread.sleep(20);
                                return 1;
                            });
                            Thread.sleep(20);
                            return 1;
                        });
                    }
                    if (scope.join().size() == 16) {
                        done.incrementAndGet();
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            }));
        }
        for (Thread owner : owners) {
            assertThat(owner.join(Duration.ofSeconds(20)))
                    .as("owner %s ended (a busy-waiting owner holds its carrier and never does)", owner.getName())
                    .isTrue();
        }
        assertThat(failures).isEmpty();
        assertThat(done).hasValue(carriers);
        // 16 tasks of 20 ms, 4 at a time: about 80 ms of sleeps per scope; generous for a loaded machine
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void anOwnerWaitingForASlotIsParkedNotRunning() throws Exception {
        var release = new java.util.concurrent.CountDownLatch(1);
        try (var scope = Scope.named("parked").maxConcurrency(1).open(Join.<Integer>allSuccessful())) {
            scope.fork("holder", () -> {
                release.await();
                return 1;
            });
            Thread owner = Thread.currentThread();
            var watcher = Thread.ofPlatform().start(() -> {
                dev.weft.testing.Waits.until(() -> scope.tasks().size() == 2);
                dev.weft.testing.Waits.until(() -> dev.weft.testing.Waits.isWaiting(owner));
                release.countDown();
            });
            scope.fork("second", () -> 2); // waits for the holder's slot
            watcher.join();
            assertThat(scope.join()).containsExactly(1, 2);
        }
    }
}
