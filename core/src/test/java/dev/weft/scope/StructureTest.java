package dev.weft.scope;

import dev.weft.testing.Waits;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StructureTest {

    @Test
    void closeDoesNotReturnWhileATaskIgnoringInterruptsStillRuns() throws Exception {
        // given a task that swallows interrupts until the test releases it
        var interrupted = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        var taskExited = new AtomicBoolean();
        var closeReturned = new AtomicBoolean();
        var closeReturnedWhenReleased = new AtomicBoolean(true);
        var started = new CountDownLatch(1);
        var scope = Scope.named("stubborn").open(Join.<Void>allSuccessful());
        scope.fork("ignorer", () -> {
            started.countDown();
            Waits.ignoringInterrupts(release, interrupted);
            taskExited.set(true);
            return null;
        });
        Waits.await(started); // else close may cancel it before it runs, and nothing is left to interrupt
        // the releaser lets the task go only once close() has interrupted it, recording whether close returned
        var releaser = new Thread(() -> {
            try {
                interrupted.await();
            } catch (InterruptedException e) {
                return;
            }
            closeReturnedWhenReleased.set(closeReturned.get());
            release.countDown();
        });
        releaser.start();
        // when
        scope.close();
        closeReturned.set(true);
        // then
        releaser.join();
        assertThat(closeReturnedWhenReleased).isFalse();
        assertThat(taskExited).isTrue();
    }

    @Test
    void closeWaitsForTasksEvenWhenTheOwnerIsInterrupted() throws Exception {
        // given
        var interrupted = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        var taskExited = new AtomicBoolean();
        var started = new CountDownLatch(1);
        var scope = Scope.named("owner-interrupted").open(Join.<Void>allSuccessful());
        scope.fork("ignorer", () -> {
            started.countDown();
            Waits.ignoringInterrupts(release, interrupted);
            taskExited.set(true);
            return null;
        });
        Waits.await(started);
        var releaser = new Thread(() -> {
            try {
                interrupted.await();
            } catch (InterruptedException e) {
                return;
            }
            release.countDown();
        });
        releaser.start();
        // when the owner closes with its interrupt status set
        Thread.currentThread().interrupt();
        scope.close();
        // then close waited for the task and kept the owner's interrupt status
        boolean stillInterrupted = Thread.interrupted();
        releaser.join();
        assertThat(taskExited).isTrue();
        assertThat(stillInterrupted).isTrue();
    }

    @Test
    void scopeOpenedInsideATaskIsAChildOfTheTaskScope() throws Exception {
        // given
        var innerParent = new AtomicReference<Scope<?, ?>>();
        var innerPath = new AtomicReference<String>();
        var outerChildren = new AtomicReference<List<Scope<?, ?>>>();
        var innerRef = new AtomicReference<Scope<?, ?>>();
        try (var outer = Scope.named("a").open(Join.<Integer>allSuccessful())) {
            outer.fork("t", () -> {
                try (var inner = Scope.named("b").open(Join.<Integer>allSuccessful())) {
                    innerRef.set(inner);
                    innerParent.set(inner.parent().orElse(null));
                    innerPath.set(inner.path());
                    outerChildren.set(outer.children());
                    inner.fork(() -> 1);
                    return inner.join().getFirst();
                }
            });
            // when
            outer.join();
            // then
            assertThat(innerParent.get()).isSameAs(outer);
            assertThat(innerPath.get()).as("the opening task is part of the path").isEqualTo("a/t/b");
            assertThat(outerChildren.get()).containsExactly(innerRef.get());
        }
    }

    @Test
    void scopeOpenedInTheOwnersTryBlockIsAChildOfTheOpenScope() throws Exception {
        try (var outer = Scope.named("a").open(Join.<Integer>allSuccessful())) {
            // when
            try (var inner = Scope.named("b").open(Join.<Integer>allSuccessful())) {
                // then
                assertThat(inner.parent()).containsSame(outer);
                assertThat(inner.path()).isEqualTo("a/b");
                assertThat(outer.children()).containsExactly(inner);
                inner.join();
            }
            outer.join();
        }
    }

    @Test
    void closedChildScopeLeavesItsParentsChildren() throws Exception {
        try (var outer = Scope.named("a").open(Join.<Integer>allSuccessful())) {
            try (var inner = Scope.named("b").open(Join.<Integer>allSuccessful())) {
                inner.join();
            }
            assertThat(outer.children()).isEmpty();
            outer.join();
        }
    }

    @Test
    void scopeOpenedAfterTheEnclosingScopeClosedIsARoot() throws Exception {
        try (var first = Scope.named("a").open(Join.<Integer>allSuccessful())) {
            first.join();
        }
        try (var second = Scope.named("c").open(Join.<Integer>allSuccessful())) {
            assertThat(second.parent()).isEmpty();
            assertThat(second.path()).isEqualTo("c");
            second.join();
        }
    }

    @Test
    void pathsOfThreeNestedLevelsAreJoinedWithSlashes() throws Exception {
        var taskPath = new AtomicReference<String>();
        try (var a = Scope.named("a").open(Join.<Integer>allSuccessful())) {
            a.fork("t1", () -> {
                try (var b = Scope.named("b").open(Join.<Integer>allSuccessful())) {
                    b.fork("t2", () -> {
                        try (var c = Scope.named("c").open(Join.<Integer>allSuccessful())) {
                            c.fork("leaf", () -> {
                                taskPath.set(CurrentTask.path().orElseThrow());
                                return 1;
                            });
                            return c.join().getFirst();
                        }
                    });
                    return b.join().getFirst();
                }
            });
            a.join();
        }
        assertThat(taskPath.get()).isEqualTo("a/t1/b/t2/c/leaf");
    }

    @Test
    void scopesOpenedOneInsideAnotherInATaskNestThereAndUnwindAsTheyClose() throws Exception {
        var parents = new ArrayList<String>();
        try (var root = Scope.named("root").open(Join.<Integer>allSuccessful())) {
            root.fork("t", () -> {
                try (var outer = Scope.named("outer").open(Join.<Integer>allSuccessful())) {
                    try (var inner = Scope.named("inner").open(Join.<Integer>allSuccessful())) {
                        parents.add(inner.parent().orElseThrow().path());
                    }
                    try (var next = Scope.named("next").open(Join.<Integer>allSuccessful())) {
                        parents.add(next.parent().orElseThrow().path()); // inner closed: outer again
                    }
                    parents.add(outer.parent().orElseThrow().path());
                }
                try (var after = Scope.named("after").open(Join.<Integer>allSuccessful())) {
                    parents.add(after.parent().orElseThrow().path()); // outer closed: the task's scope
                }
                return 1;
            });
            root.join();
        }
        try (var later = Scope.named("later").open(Join.<Integer>allSuccessful())) {
            assertThat(later.parent()).isEmpty(); // nothing the task opened leaked into the owner
        }
        assertThat(parents).containsExactly("root/t/outer", "root/t/outer", "root", "root");
    }

    @Test
    void closingWithoutJoinCancelsRunningTasksWithOwnerExited() throws Exception {
        // given
        Task<Void> task;
        Scope<Void, List<Void>> scope;
        try (var s = Scope.named("left").open(Join.<Void>allSuccessful())) {
            scope = s;
            task = Waits.forkRunning(s, "worker");
            // when the owner leaves without join
        }
        // then
        assertThat(task.state()).isEqualTo(TaskState.CANCELLED);
        assertThat(task.cancellationReason().orElseThrow().kind()).isEqualTo(CancellationReason.Kind.OWNER_EXITED);
        assertThat(scope.state()).isEqualTo(ScopeState.CANCELLED);
        assertThat(scope.isClosed()).isTrue();
    }

    @Test
    void ownerLeavingWithAnExceptionCancelsTheTasksAndTheExceptionPropagates() throws Exception {
        var started = new CountDownLatch(1);
        var seen = new AtomicReference<CancellationReason>();
        assertThatThrownBy(() -> {
            try (var s = Scope.named("boom").open(Join.<Void>allSuccessful())) {
                s.fork("worker", () -> {
                    started.countDown();
                    try {
                        return Waits.forever();
                    } finally {
                        seen.set(CurrentTask.cancellationReason().orElse(null));
                    }
                });
                Waits.await(started);
                throw new IllegalStateException("owner code failed");
            }
        }).isInstanceOf(IllegalStateException.class).hasMessage("owner code failed");
        assertThat(seen.get().kind()).isEqualTo(CancellationReason.Kind.OWNER_EXITED);
    }

    @Test
    void noTaskThreadIsAliveAfterClose() throws Exception {
        var threads = new java.util.concurrent.ConcurrentLinkedQueue<Thread>();
        var started = new CountDownLatch(3);
        try (var scope = Scope.named("orphans").open(Join.<Void>allSettled())) {
            for (int i = 0; i < 3; i++) {
                scope.fork(() -> {
                    threads.add(Thread.currentThread());
                    started.countDown();
                    return Waits.forever();
                });
            }
            Waits.await(started);
            scope.cancel("test is done");
        }
        assertThat(threads).hasSize(3).allSatisfy(t -> assertThat(t.isAlive()).isFalse());
    }

    @Test
    void joinedScopeIsSucceededAndClosedAfterClose() throws Exception {
        Scope<Integer, List<Integer>> ref;
        try (var scope = Scope.named("ok").open(Join.<Integer>allSuccessful())) {
            ref = scope;
            scope.fork(() -> 1);
            scope.join();
            assertThat(scope.state()).isEqualTo(ScopeState.SUCCEEDED);
            assertThat(scope.isClosed()).isFalse();
        }
        assertThat(ref.isClosed()).isTrue();
    }

    @Test
    void forkedTasksAreListedInForkOrder() throws Exception {
        try (var scope = Scope.named("list").open(Join.<Integer>allSuccessful())) {
            scope.fork("x", () -> 1);
            scope.fork("y", () -> 2);
            scope.fork(() -> 3);
            scope.join();
            assertThat(scope.tasks()).extracting(Task::name).containsExactly("x", "y", "task-1");
        }
    }
}
