package dev.weft.scope;

import org.junit.jupiter.api.Test;

import java.util.concurrent.StructureViolationException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A fork that throws forks nothing: the exception reaches the caller, and join and close still return. */
class ForkFailureTest {

    private static final ScopedValue<String> KEY = ScopedValue.newInstance();

    @Test
    void anOnForkThatThrowsReachesTheCallerAndJoinStillReturns() throws Exception {
        var forks = new AtomicInteger();
        Join<Integer, java.util.List<Integer>> refusingSecond = new Join<>() {
            private final Join<Integer, java.util.List<Integer>> all = Join.allSuccessful();

            @Override
            public void onFork(Task<? extends Integer> task) {
                if (forks.incrementAndGet() == 2) {
                    throw new IllegalStateException("policy refuses " + task.name());
                }
            }

            @Override
            public boolean onComplete(Task<? extends Integer> task) {
                return all.onComplete(task);
            }

            @Override
            public java.util.List<Integer> result(JoinState<Integer> state) {
                return all.result(state);
            }
        };
        try (var scope = Scope.named("refusing").open(refusingSecond)) {
            scope.fork("first", () -> 1);
            assertThatThrownBy(() -> scope.fork("second", () -> 2))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("policy refuses second");
            assertThat(scope.join()).containsExactly(1);
            assertThat(scope.tasks()).hasSize(1);
        }
    }

    @Test
    void aForkInsideAScopedValueBindingThrowsAndJoinStillReturns() throws Exception {
        try (var scope = Scope.named("bound").open(Join.<Integer>allSuccessful())) {
            scope.fork("before", () -> 1);
            assertThatThrownBy(() -> ScopedValue.where(KEY, "v").call(() -> scope.fork("inside", () -> 2)))
                    .isInstanceOf(StructureViolationException.class);
            assertThat(scope.join()).containsExactly(1);
        }
    }

    /**
     * JDK 25 refuses a fork after the owner bound and unbound any ScopedValue since it opened the scope (its raw
     * StructuredTaskScope does the same, on platform and virtual threads alike): the refusal must reach the
     * caller, and nothing may be left counted.
     */
    @Test
    void aForkRefusedAfterTheOwnerBoundAndUnboundAScopedValueReachesTheCallerAndJoinStillReturns() throws Exception {
        try (var scope = Scope.named("rebind").open(Join.<String>allSuccessful())) {
            scope.fork("before", () -> "ran");
            ScopedValue.where(KEY, "v").run(() -> { });
            try {
                scope.fork("after", () -> "ran too");
            } catch (StructureViolationException refused) {
                assertThat(scope.join()).containsExactly("ran");
                return;
            }
            assertThat(scope.join()).containsExactly("ran", "ran too");
        }
    }

    @Test
    void aForkAfterTheBindingTheScopeWasOpenedInEndedThrowsAndJoinAndCloseStillReturn() throws Exception {
        var opened = new AtomicReference<Scope<Integer, java.util.List<Integer>>>();
        // the JDK closes what was opened inside the binding when the binding ends, and says so
        assertThatThrownBy(() -> ScopedValue.where(KEY, "v")
                .run(() -> opened.set(Scope.named("outlived").open(Join.<Integer>allSuccessful()))))
                .isInstanceOf(StructureViolationException.class);
        var scope = opened.get();
        try {
            assertThatThrownBy(() -> scope.fork("late", () -> 1))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("ScopedValue binding");
            assertThat(scope.join()).isEmpty();
            assertThat(scope.tasks()).isEmpty();
        } finally {
            scope.close();
        }
    }
}
