package dev.weft.scope;

import dev.weft.testing.Waits;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JoinPolicyTest {

    // ---- all successful ----

    @Test
    void allSuccessfulReturnsValuesInForkOrderWhateverTheCompletionOrder() throws Exception {
        // given: "first" completes last
        var secondDone = new CountDownLatch(1);
        try (var scope = Scope.named("order").open(Join.<String>allSuccessful())) {
            scope.fork("first", () -> {
                Waits.await(secondDone);
                return "a";
            });
            scope.fork("second", () -> {
                secondDone.countDown();
                return "b";
            });
            // when / then
            assertThat(scope.join()).containsExactly("a", "b");
        }
    }

    @Test
    void allSuccessfulFirstFailureCancelsSiblingsWithSiblingFailed() throws Exception {
        var boom = new IllegalStateException("boom");
        try (var scope = Scope.named("fail").open(Join.<String>allSuccessful())) {
            var slow = Waits.forkRunning(scope, "slow");
            scope.fork("bad", () -> {
                throw boom;
            });
            assertThatThrownBy(scope::join).isInstanceOf(ScopeFailedException.class).hasCause(boom);
            assertThat(slow.state()).isEqualTo(TaskState.CANCELLED);
            var reason = slow.cancellationReason().orElseThrow();
            assertThat(reason.kind()).isEqualTo(CancellationReason.Kind.SIBLING_FAILED);
            assertThat(reason.cause()).isSameAs(boom);
            assertThat(scope.state()).isEqualTo(ScopeState.FAILED);
        }
    }

    // ---- any successful ----

    @Test
    void anySuccessfulReturnsTheFirstSuccessAndCancelsTheRestWithOutcomeDecided() throws Exception {
        try (var scope = Scope.named("race").open(Join.<String>anySuccessful())) {
            var slow = Waits.forkRunning(scope, "slow");
            scope.fork("fast", () -> "winner");
            assertThat(scope.join()).isEqualTo("winner");
            assertThat(slow.state()).isEqualTo(TaskState.CANCELLED);
            assertThat(slow.cancellationReason().orElseThrow().kind())
                    .isEqualTo(CancellationReason.Kind.OUTCOME_DECIDED);
            assertThat(scope.state()).isEqualTo(ScopeState.SUCCEEDED);
        }
    }

    @Test
    void anySuccessfulIgnoresFailuresWhileAnotherTaskCanStillSucceed() throws Exception {
        try (var scope = Scope.named("race").open(Join.<String>anySuccessful())) {
            var failed = scope.fork("bad", () -> {
                throw new IllegalStateException("no");
            });
            scope.fork("good", () -> {
                Waits.until(() -> failed.state().isTerminal());
                return "yes";
            });
            assertThat(scope.join()).isEqualTo("yes");
        }
    }

    @Test
    void anySuccessfulWhenAllFailThrowsOneExceptionCarryingEveryFailure() throws Exception {
        var e1 = new IllegalStateException("one");
        var e2 = new IllegalArgumentException("two");
        try (var scope = Scope.named("race").open(Join.<String>anySuccessful())) {
            var first = scope.fork("a", () -> {
                throw e1;
            });
            scope.fork("b", () -> {
                Waits.until(() -> first.state().isTerminal());
                throw e2;
            });
            assertThatThrownBy(scope::join)
                    .isInstanceOfSatisfying(ScopeFailedException.class, e -> {
                        assertThat(e.getCause()).isSameAs(e1);
                        assertThat(e.getSuppressed()).hasSize(1);
                        assertThat(e.getSuppressed()[0].getCause()).isSameAs(e2);
                        assertThat(e.getMessage()).contains("race/a");
                    });
        }
    }

    @Test
    void anySuccessfulWithNoTaskFailsSayingNoneWasForked() throws Exception {
        try (var scope = Scope.named("empty").open(Join.<String>anySuccessful())) {
            assertThatThrownBy(scope::join).isInstanceOf(ScopeFailedException.class)
                    .hasMessageContaining("none was forked");
        }
    }

    // ---- all settled ----

    @Test
    void allSettledNeverFailsFastAndReportsEveryOutcomeInForkOrder() throws Exception {
        var boom = new IllegalStateException("boom");
        try (var scope = Scope.named("settle").open(Join.<String>allSettled())) {
            var failing = scope.fork("bad", () -> {
                throw boom;
            });
            scope.fork("good", () -> {
                // keeps running after its sibling failed: nothing cancels it
                Waits.until(() -> failing.state().isTerminal());
                return CurrentTask.isCancelled() ? "cancelled" : "ok";
            });
            List<Outcome<String>> outcomes = scope.join();
            assertThat(outcomes).containsExactly(new Outcome.Failure<>("bad", boom), new Outcome.Success<>("good", "ok"));
            assertThat(scope.state()).isEqualTo(ScopeState.SUCCEEDED);
        }
    }

    @Test
    void allSettledReportsATaskThatExceededItsOwnTimeoutAsTimedOut() throws Exception {
        var time = new dev.weft.time.ManualTimeSource();
        var started = new CountDownLatch(1);
        try (var scope = Scope.named("settle").timeSource(time).open(Join.<String>allSettled())) {
            scope.fork("fast", () -> "v");
            scope.fork("slow", java.time.Duration.ofSeconds(1), () -> {
                started.countDown();
                return Waits.forever();
            });
            Waits.await(started);
            time.advance(java.time.Duration.ofSeconds(1));
            var outcomes = scope.join();
            assertThat(outcomes.get(0)).isEqualTo(new Outcome.Success<>("fast", "v"));
            assertThat(outcomes.get(1)).isInstanceOfSatisfying(Outcome.TimedOut.class,
                    t -> assertThat(t.reason().kind()).isEqualTo(CancellationReason.Kind.TASK_TIMEOUT));
        }
    }

    // ---- quorum ----

    @Test
    void quorumCancelsTheRestOnceKSucceededAndReturnsTheirValuesInForkOrder() throws Exception {
        try (var scope = Scope.named("q").open(Join.<Integer>quorum(2))) {
            var slow = Waits.forkRunning(scope, "slow");
            var b = scope.fork("b", () -> 2);
            scope.fork("c", () -> {
                Waits.until(() -> b.state().isTerminal());
                return 3;
            });
            assertThat(scope.join()).containsExactly(2, 3);
            assertThat(slow.cancellationReason().orElseThrow().kind())
                    .isEqualTo(CancellationReason.Kind.OUTCOME_DECIDED);
        }
    }

    @Test
    void quorumFailsAsSoonAsKBecomesImpossible() throws Exception {
        try (var scope = Scope.named("q").open(Join.<Integer>quorum(2))) {
            var slow = Waits.forkRunning(scope, "slow");
            var a = scope.fork("a", () -> {
                throw new IllegalStateException("a down");
            });
            scope.fork("b", () -> {
                Waits.until(() -> a.state().isTerminal());
                throw new IllegalStateException("b down");
            });
            // two of three failed: two successes are impossible although "slow" still runs
            assertThatThrownBy(scope::join).isInstanceOf(ScopeFailedException.class)
                    .hasMessageContaining("quorum of 2 not reachable in q")
                    .hasMessageContaining("q/a");
            assertThat(slow.state()).isEqualTo(TaskState.CANCELLED);
        }
    }

    @Test
    void quorumWithFewerTasksThanKFailsSayingHowManyWereForked() throws Exception {
        try (var scope = Scope.named("q").open(Join.<Integer>quorum(3))) {
            scope.fork(() -> 1);
            assertThatThrownBy(scope::join).isInstanceOf(ScopeFailedException.class)
                    .hasMessageContaining("only 1 task(s) forked");
        }
    }

    // ---- supervisor ----

    @Test
    void supervisorHandsAFailureToTheHandlerAndLeavesSiblingsRunning() throws Exception {
        var handled = new ConcurrentLinkedQueue<String>();
        var boom = new IllegalStateException("boom");
        try (var scope = Scope.named("sup").open(Join.<String>supervisor((task, e) -> handled.add(task.path() + ":" + e.getMessage())))) {
            var bad = scope.fork("bad", () -> {
                throw boom;
            });
            var good = scope.fork("good", () -> {
                Waits.until(() -> bad.state().isTerminal());
                return CurrentTask.isCancelled() ? "cancelled" : "fine";
            });
            var outcomes = scope.join();
            assertThat(handled).containsExactly("sup/bad:boom");
            assertThat(good.get()).isEqualTo("fine");
            assertThat(outcomes).containsExactly(new Outcome.Failure<>("bad", boom), new Outcome.Success<>("good", "fine"));
        }
    }

    @Test
    void supervisorHandlerThatThrowsBreaksNothing() throws Exception {
        var calls = new AtomicInteger();
        try (var scope = Scope.named("sup").open(Join.<String>supervisor((task, e) -> {
            calls.incrementAndGet();
            throw new IllegalStateException("handler bug");
        }))) {
            var bad = scope.fork("bad", () -> {
                throw new IllegalArgumentException("x");
            });
            scope.fork("good", () -> {
                Waits.until(() -> bad.state().isTerminal());
                return "fine";
            });
            var outcomes = scope.join();
            assertThat(calls).hasValue(1);
            assertThat(outcomes.get(1)).isEqualTo(new Outcome.Success<>("good", "fine"));
            assertThat(scope.state()).isEqualTo(ScopeState.SUCCEEDED);
        }
    }

    @Test
    void supervisorHandlerRunsInTheFailingTasksThread() throws Exception {
        var handlerThread = new AtomicReference<String>();
        try (var scope = Scope.named("sup").open(Join.<String>supervisor((task, e) ->
                handlerThread.set(Thread.currentThread().getName())))) {
            scope.fork("bad", () -> {
                throw new IllegalArgumentException("x");
            });
            scope.join();
        }
        assertThat(handlerThread.get()).isEqualTo("sup/bad");
    }

    // ---- custom policy (the example of the Join javadoc) ----

    static final class FirstTwo<T> implements Join<T, List<T>> {
        private final AtomicInteger successes = new AtomicInteger();
        final ConcurrentLinkedQueue<String> forked = new ConcurrentLinkedQueue<>();

        @Override
        public void onFork(Task<? extends T> task) {
            forked.add(task.name() + ":" + task.state());
        }

        @Override
        public boolean onComplete(Task<? extends T> task) {
            return task.state() == TaskState.SUCCEEDED && successes.incrementAndGet() == 2;
        }

        @Override
        public List<T> result(JoinState<T> state) {
            if (state.deadlineExpired()) {
                throw state.timeout();
            }
            var values = state.tasks().stream().filter(t -> t.state() == TaskState.SUCCEEDED).map(Task::get).toList();
            if (values.size() < 2) {
                throw state.failure();
            }
            return values.subList(0, 2);
        }
    }

    @Test
    void customPolicyStopsTheScopeWhenItsOnCompleteSaysSo() throws Exception {
        try (var scope = Scope.named("two").open(new FirstTwo<Integer>())) {
            var slow = Waits.forkRunning(scope, "slow");
            var a = scope.fork("a", () -> 1);
            scope.fork("b", () -> {
                Waits.until(() -> a.state().isTerminal());
                return 2;
            });
            assertThat(scope.join()).containsExactly(1, 2);
            assertThat(slow.cancellationReason().orElseThrow().kind())
                    .isEqualTo(CancellationReason.Kind.OUTCOME_DECIDED);
        }
    }

    @Test
    void customPolicyFailureFromResultFailsTheScope() throws Exception {
        var boom = new IllegalStateException("boom");
        try (var scope = Scope.named("two").open(new FirstTwo<Integer>())) {
            scope.fork("a", () -> 1);
            scope.fork("b", () -> {
                throw boom;
            });
            assertThatThrownBy(scope::join).isInstanceOf(ScopeFailedException.class).hasCause(boom);
            assertThat(scope.state()).isEqualTo(ScopeState.FAILED);
        }
    }

    @Test
    void customPolicyOnForkSeesTheTaskBeforeItRuns() throws Exception {
        var policy = new FirstTwo<Integer>();
        try (var scope = Scope.named("two").open(policy)) {
            scope.fork("a", () -> 1);
            scope.fork("b", () -> 2);
            scope.join();
        }
        assertThat(policy.forked).containsExactly("a:QUEUED", "b:QUEUED");
    }

    // ---- issue-driven rules ----

    @Test
    void quorumOfTwoOverThreeReplicasWithOneDownAlwaysSucceeds() throws Exception {
        for (int round = 0; round < 200; round++) {
            try (var scope = Scope.named("replicas").open(Join.<String>quorum(2))) {
                scope.fork("down", () -> {
                    throw new java.io.IOException("replica down");
                });
                scope.fork("r2", () -> "b");
                scope.fork("r3", () -> "c");
                assertThat(scope.join()).as("round %d", round).hasSize(2).containsExactlyInAnyOrder("b", "c");
            }
        }
    }

    @Test
    void quorumFailsAtJoinWhenFailuresBeforeJoinLeaveItOutOfReach() throws Exception {
        var failed = new CountDownLatch(2);
        try (var scope = Scope.named("replicas").open(Join.<String>quorum(2))) {
            for (String name : List.of("a", "b")) {
                scope.fork(name, () -> {
                    failed.countDown();
                    throw new java.io.IOException(name + " down");
                });
            }
            Task<String> slow = scope.fork("c", () -> Waits.forever());
            Waits.await(failed);
            Waits.until(() -> scope.tasks().stream().filter(t -> t.state() == TaskState.FAILED).count() == 2);
            assertThatThrownBy(scope::join).isInstanceOf(ScopeFailedException.class);
            assertThat(slow.state()).isEqualTo(TaskState.CANCELLED);
        }
    }

    @Test
    void aPolicyWhoseOnCompleteThrowsFailsTheScopeWithThatException() throws Exception {
        var broken = new IllegalStateException("policy bug");
        Join<Integer, List<Integer>> throwing = new Join<>() {
            @Override
            public boolean onComplete(Task<? extends Integer> task) {
                throw broken;
            }

            @Override
            public List<Integer> result(JoinState<Integer> state) {
                return List.of();
            }
        };
        try (var scope = Scope.named("p").open(throwing)) {
            scope.fork("quick", () -> 1);
            Task<Integer> other = scope.fork("slow", () -> Waits.forever());
            assertThatThrownBy(scope::join).isInstanceOfSatisfying(ScopeFailedException.class, e -> {
                assertThat(e.getCause()).isSameAs(broken);
                assertThat(e.getMessage()).contains("p/quick");
            });
            assertThat(scope.state()).isEqualTo(ScopeState.FAILED);
            assertThat(other.state()).isEqualTo(TaskState.CANCELLED);
            assertThat(scope.cancellationReason()).get().extracting(CancellationReason::kind)
                    .isEqualTo(CancellationReason.Kind.POLICY_FAILED);
        }
    }

    @Test
    void allSuccessfulReturnsAListThatCannotBeChanged() throws Exception {
        try (var scope = Scope.named("ro").open(Join.<Integer>allSuccessful())) {
            scope.fork(() -> 1);
            List<Integer> values = scope.join();
            assertThatThrownBy(() -> values.add(2)).isInstanceOf(UnsupportedOperationException.class);
        }
    }

    @Test
    void theSupervisorHandlerForATaskThatHitItsOwnTimeoutRunsInThatTasksThread() throws Exception {
        var handlerThread = new AtomicReference<String>();
        try (var scope = Scope.named("sup").open(Join.<Integer>supervisor(
                (task, error) -> handlerThread.set(Thread.currentThread().getName())))) {
            scope.fork("slow", java.time.Duration.ofMillis(50), () -> Waits.forever());
            scope.join();
        }
        assertThat(handlerThread.get()).isEqualTo("sup/slow");
    }
}
