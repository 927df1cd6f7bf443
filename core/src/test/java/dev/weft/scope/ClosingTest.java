package dev.weft.scope;

import dev.weft.internal.RuntimeThreads;
import dev.weft.testing.Waits;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.StructureViolationException;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What close guarantees when scopes are closed out of order, inside a rebinding, or never. */
class ClosingTest {

    private static final ScopedValue<String> KEY = ScopedValue.newInstance();

    @Test
    void closingAnOuterScopeWithNoTasksWhileAnInnerIsOpenStopsAndClosesTheInner() throws Exception {
        var outer = Scope.named("outer").open(Join.<Integer>allSuccessful());
        var inner = Scope.named("inner").open(Join.<Integer>allSuccessful());
        Task<Integer> task = Waits.forkRunning(inner, "worker");
        // when the outer scope, which forked nothing, closes first
        outer.close();
        // then the inner scope was stopped and closed before it, and its thread has ended
        assertThat(inner.isClosed()).isTrue();
        assertThat(task.state()).isEqualTo(TaskState.CANCELLED);
        assertThat(inner.state()).isEqualTo(ScopeState.CANCELLED);
        assertThat(outer.isClosed()).isTrue();
        inner.close(); // a second close returns at once
        assertThat(RuntimeThreads.live()).isEmpty();
    }

    @Test
    void closeInsideARebindingWaitsForEveryThreadBeforeItThrows() throws Exception {
        var release = new CountDownLatch(1);
        var interrupted = new CountDownLatch(1);
        var taskEnded = new CountDownLatch(1);
        var started = new CountDownLatch(1);
        var scope = Scope.named("rebound").open(Join.<Integer>allSuccessful());
        scope.fork("stubborn", () -> {
            started.countDown();
            try {
                Waits.ignoringInterrupts(release, interrupted);
                return 1;
            } finally {
                taskEnded.countDown();
            }
        });
        Thread owner = Thread.currentThread();
        var releaser = Thread.ofPlatform().start(() -> {
            try {
                Waits.await(interrupted); // close cancelled the task...
                Waits.until(() -> Waits.isWaiting(owner)); // ...and waits for it
                release.countDown();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Waits.await(started);
        Throwable thrown = null;
        try {
            ScopedValue.where(KEY, "other").run(scope::close);
        } catch (StructureViolationException e) {
            thrown = e;
        }
        releaser.join();
        assertThat(taskEnded.getCount()).as("the task had ended when close returned or threw").isZero();
        assertThat(scope.isClosed()).isTrue();
        scope.close(); // returns at once: the scope is closed and nothing of it runs
        assertThat(thrown).as("the JDK reports the violation, after the threads ended").isNotNull();
    }

    @Test
    void aScopeClosedOutOfOrderDoesNotCancelScopesOpenedLaterOnTheSameThread() throws Exception {
        var later = new AtomicReference<Scope<?, ?>>();
        var laterReason = new AtomicReference<Object>();
        runOnNewPlatformThread(() -> {
            var a = Scope.named("a").open(Join.<Integer>allSuccessful());
            var b = Scope.named("b").open(Join.<Integer>allSuccessful());
            a.close(); // out of order: b is still open
            b.close();
            try (var c = Scope.named("c").open(Join.<Integer>allSuccessful())) {
                later.set(c);
                laterReason.set(c.cancellationReason().orElse(null));
                c.fork(() -> 1);
                assertThat(c.join()).containsExactly(1);
            }
        });
        assertThat(laterReason.get()).isNull();
        assertThat(later.get().parent()).isEmpty();
    }

    @Test
    void aScopeNeverClosedAfterAFailedJoinDoesNotCancelScopesOpenedLaterOnTheSameThread() throws Exception {
        var laterReason = new AtomicReference<Object>("not run");
        runOnNewPlatformThread(() -> {
            var leaked = Scope.named("leaked").open(Join.<Integer>allSuccessful());
            leaked.fork(() -> {
                throw new IllegalStateException("boom");
            });
            assertThatThrownBy(leaked::join).isInstanceOf(ScopeFailedException.class);
            // the owner "forgets" to close it; a pooled thread would go on to serve the next request
            try (var next = Scope.named("next").open(Join.<Integer>allSuccessful())) {
                laterReason.set(next.cancellationReason().orElse(null));
                next.fork(() -> 2);
                assertThat(next.join()).containsExactly(2);
            }
            leaked.close();
        });
        assertThat(laterReason.get()).isNull();
    }

    @Test
    void closeWithoutJoinCancelsTheScopeEvenWhenNothingWasForked() {
        var scope = Scope.named("idle").open(Join.<Integer>allSuccessful());
        scope.close();
        assertThat(scope.state()).isEqualTo(ScopeState.CANCELLED);
        assertThat(scope.cancellationReason()).get().extracting(CancellationReason::kind)
                .isEqualTo(CancellationReason.Kind.OWNER_EXITED);
    }

    @Test
    void isClosedAnswersTheTruthFromAnotherThread() throws Exception {
        var scope = Scope.named("seen").open(Join.<Integer>allSuccessful());
        scope.join();
        scope.close();
        var seen = new AtomicReference<Boolean>();
        Thread.ofPlatform().start(() -> seen.set(scope.isClosed())).join();
        assertThat(seen.get()).isTrue();
    }

    private interface Body {
        void run() throws Exception;
    }

    private static void runOnNewPlatformThread(Body body) throws Exception {
        var failure = new AtomicReference<Throwable>();
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        t.join();
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
    }
}
