package dev.weft.scope;

import dev.weft.testing.Waits;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Waiting for one task (Task.join) and forking from a task with the scope's types. */
class TaskJoinTest {

    @Test
    void aTaskCanWaitForTheResultOfATaskItForked() throws Exception {
        try (var scope = Scope.named("parent").open(Join.<Integer>allSuccessful())) {
            scope.fork("outer", () -> {
                Task<Integer> inner = scope.fork("inner", () -> 20);
                return inner.join() + 1;
            });
            assertThat(scope.join()).containsExactly(21, 20);
        }
    }

    @Test
    void waitingForAQueuedTaskUnderACapOfOneGivesUpTheSlotAndDoesNotDeadlock() throws Exception {
        try (var scope = Scope.named("capped").maxConcurrency(1).open(Join.<Integer>allSuccessful())) {
            scope.fork("outer", () -> {
                Task<Integer> inner = scope.fork("inner", () -> 2);
                return inner.join() * 10;
            });
            assertThat(scope.join()).containsExactly(20, 2);
        }
    }

    @Test
    void theOwnerCanWaitForATaskForkedByATask() throws Exception {
        var spawned = new AtomicReference<Task<Integer>>();
        var forked = new CountDownLatch(1);
        try (var scope = Scope.named("owner-waits").open(Join.<Integer>allSuccessful())) {
            scope.fork("forker", () -> {
                spawned.set(scope.fork("spawned", () -> 7));
                forked.countDown();
                return 1;
            });
            Waits.await(forked);
            assertThat(spawned.get().join()).isEqualTo(7); // the owner starts it while it waits
            assertThat(scope.join()).containsExactly(1, 7);
        }
    }

    @Test
    void joinOfAFailedTaskThrowsNamingTheTask() throws Exception {
        try (var scope = Scope.named("f").open(Join.<Integer>allSettled())) {
            Task<Integer> bad = scope.fork("bad", () -> {
                throw new IllegalStateException("boom");
            });
            assertThatThrownBy(bad::join).isInstanceOfSatisfying(ScopeFailedException.class, e -> {
                assertThat(e.taskPath()).isEqualTo("f/bad");
                assertThat(e.getCause()).hasMessage("boom");
            });
            scope.join();
        }
    }

    @Test
    void joinOfATaskReturnsAtOnceWhenTheScopeStops() throws Exception {
        var waiting = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        var started = new CountDownLatch(1);
        var seen = new AtomicReference<Throwable>();
        try (var scope = Scope.named("stops").open(Join.<Integer>allSettled())) {
            Task<Integer> stubborn = scope.fork("stubborn", () -> {
                started.countDown();
                Waits.ignoringInterrupts(release, new CountDownLatch(1)); // ends only when released
                return 0;
            });
            var waiter = Thread.ofPlatform().start(() -> {
                try {
                    waiting.countDown();
                    stubborn.join();
                } catch (Throwable e) {
                    seen.set(e);
                }
            });
            Waits.await(waiting);
            Waits.await(started);
            Waits.until(() -> Waits.isWaiting(waiter));
            scope.cancel("enough");
            waiter.join(); // returned although the stubborn task still runs
            assertThat(stubborn.state()).isEqualTo(TaskState.RUNNING);
            release.countDown();
            assertThatThrownBy(scope::join).isInstanceOf(ScopeCancelledException.class);
        }
        assertThat(seen.get()).isInstanceOfSatisfying(ScopeCancelledException.class,
                e -> assertThat(e.reason().detail()).isEqualTo("enough"));
    }

    @Test
    void aTaskBodyGetsItsScopeTypedAndForksIntoIt() throws Exception {
        try (var scope = Scope.named("crawl").open(Join.<String>allSuccessful())) {
            scope.fork("root", (Scope<String, ?> pages) -> {
                List<Task<String>> children = new ArrayList<>();
                for (String link : List.of("a", "b")) {
                    children.add(pages.fork(link, () -> "page " + link));
                }
                return "root+" + children.size();
            });
            assertThat(scope.join()).containsExactly("root+2", "page a", "page b");
        }
    }
}
