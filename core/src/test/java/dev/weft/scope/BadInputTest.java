package dev.weft.scope;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BadInputTest {

    /** Runs {@code action} on a fresh platform thread (neither owner nor task) and returns what it threw. */
    private static Throwable fromStranger(ThrowingRunnable action) throws InterruptedException {
        var thrown = new AtomicReference<Throwable>();
        var stranger = new Thread(() -> {
            try {
                action.run();
            } catch (Throwable t) {
                thrown.set(t);
            }
        }, "stranger");
        stranger.start();
        stranger.join();
        return thrown.get();
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void forkAfterJoinIsRejectedSayingWhenForkIsAllowed() throws Exception {
        try (var scope = Scope.named("s").open(Join.<Integer>allSuccessful())) {
            scope.join();
            assertThatThrownBy(() -> scope.fork(() -> 1)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("scope s has been joined").hasMessageContaining("only before join");
        }
    }

    @Test
    void forkAfterCloseIsRejected() throws Exception {
        var scope = Scope.named("s").open(Join.<Integer>allSuccessful());
        scope.close();
        assertThatThrownBy(() -> scope.fork(() -> 1)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("scope s is closed");
        assertThat(scope.tasks()).isEmpty();
    }

    @Test
    void joinTwiceIsRejected() throws Exception {
        try (var scope = Scope.named("s").open(Join.<Integer>allSuccessful())) {
            scope.join();
            assertThatThrownBy(scope::join).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already been joined").hasMessageContaining("join is allowed once");
        }
    }

    @Test
    void joinAfterCloseIsRejected() throws Exception {
        var scope = Scope.named("s").open(Join.<Integer>allSuccessful());
        scope.close();
        assertThatThrownBy(scope::join).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is closed").hasMessageContaining("before close");
    }

    @Test
    void forkFromANonOwnerNonTaskThreadThrowsWrongThread() throws Exception {
        try (var scope = Scope.named("s").open(Join.<Integer>allSuccessful())) {
            assertThat(fromStranger(() -> scope.fork(() -> 1))).isInstanceOf(WrongThreadException.class)
                    .hasMessageContaining("may not fork in scope s");
            scope.join();
        }
    }

    @Test
    void joinFromANonOwnerThreadThrowsWrongThread() throws Exception {
        try (var scope = Scope.named("s").open(Join.<Integer>allSuccessful())) {
            assertThat(fromStranger(scope::join)).isInstanceOf(WrongThreadException.class)
                    .hasMessageContaining("only the owner of scope s");
            scope.join(); // still usable by its owner
        }
    }

    @Test
    void closeFromANonOwnerThreadThrowsWrongThreadAndLeavesTheScopeOpen() throws Exception {
        try (var scope = Scope.named("s").open(Join.<Integer>allSuccessful())) {
            assertThat(fromStranger(scope::close)).isInstanceOf(WrongThreadException.class)
                    .hasMessageContaining("close called by thread stranger");
            assertThat(scope.isClosed()).isFalse();
            scope.fork(() -> 1);
            assertThat(scope.join()).containsExactly(1);
        }
    }

    @Test
    void nullTaskIsRejectedAndTheScopeStaysUsable() throws Exception {
        try (var scope = Scope.named("s").open(Join.<Integer>allSuccessful())) {
            assertThatThrownBy(() -> scope.fork("x", (Callable<Integer>) null)).isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("task must not be null");
            assertThat(scope.tasks()).isEmpty();
            scope.fork("ok", () -> 1);
            assertThat(scope.join()).containsExactly(1);
        }
    }

    @Test
    void nullTaskNameIsRejectedPointingToTheUnnamedFork() throws Exception {
        try (var scope = Scope.named("s").open(Join.<Integer>allSuccessful())) {
            assertThatThrownBy(() -> scope.fork((String) null, () -> 1)).isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("task name must not be null").hasMessageContaining("fork(task)");
            assertThat(scope.tasks()).isEmpty();
            scope.join();
        }
    }

    @Test
    void zeroTaskTimeoutIsRejectedAndTheScopeStaysUsable() throws Exception {
        try (var scope = Scope.named("s").open(Join.<Integer>allSuccessful())) {
            assertThatThrownBy(() -> scope.fork("x", Duration.ZERO, () -> 1)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("task timeout must be positive, was PT0S");
            scope.fork("ok", () -> 1);
            assertThat(scope.join()).containsExactly(1);
        }
    }

    @Test
    void negativeTaskTimeoutIsRejected() throws Exception {
        try (var scope = Scope.named("s").open(Join.<Integer>allSuccessful())) {
            assertThatThrownBy(() -> scope.fork("x", Duration.ofSeconds(-1), () -> 1))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be positive, was PT-1S");
            assertThat(scope.tasks()).isEmpty();
            scope.join();
        }
    }

    @Test
    void zeroOrNegativeScopeDeadlineIsRejected() {
        assertThatThrownBy(() -> Scope.named("s").deadline(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("deadline must be positive, was PT0S");
        assertThatThrownBy(() -> Scope.named("s").deadline(Duration.ofMillis(-5))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("deadline must be positive, was PT-0.005S");
    }

    @Test
    void capBelowOneIsRejected() {
        assertThatThrownBy(() -> Scope.named("s").maxConcurrency(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxConcurrency must be at least 1, was 0");
    }

    @Test
    void blankScopeNameIsRejected() {
        assertThatThrownBy(() -> Scope.named("  ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("scope name must be non-blank and contain no '/'");
    }

    @Test
    void scopeNameWithASlashIsRejected() {
        assertThatThrownBy(() -> Scope.named("a/b")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("was \"a/b\"");
    }

    @Test
    void nullScopeNameAndNullPolicyAreRejected() {
        assertThatThrownBy(() -> Scope.named(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("scope name must not be null");
        assertThatThrownBy(() -> Scope.named("s").open(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("Join.allSuccessful()");
    }

    @Test
    void quorumBelowOneIsRejected() {
        assertThatThrownBy(() -> Join.quorum(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("quorum k must be at least 1, was 0");
    }

    @Test
    void retryWithNoAttemptsIsRejected() {
        assertThatThrownBy(() -> Retry.attempts(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxAttempts must be at least 1, was 0");
    }

    @Test
    void retryBackoffArgumentsAreChecked() {
        var retry = Retry.attempts(2);
        assertThatThrownBy(() -> retry.backoff(Duration.ofMillis(-1), 2, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("initial backoff must be zero or positive");
        assertThatThrownBy(() -> retry.backoff(Duration.ofMillis(1), 0.5, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("finite number >= 1, was 0.5");
        assertThatThrownBy(() -> retry.backoff(Duration.ofMillis(1), Double.NaN, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("was NaN");
        assertThatThrownBy(() -> retry.backoff(Duration.ofSeconds(2), 2, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must not be below initial");
    }

    @Test
    void retryJitterTimeoutAndAttemptNumberAreChecked() {
        var retry = Retry.attempts(2);
        assertThatThrownBy(() -> retry.jitter(1.5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("jitter must be between 0 and 1, was 1.5");
        assertThatThrownBy(() -> retry.attemptTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("attempt timeout must be positive, was PT0S");
        assertThatThrownBy(() -> retry.delayBefore(1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("attempt must be 2 or more");
        assertThatThrownBy(() -> retry.call(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void shieldedWithANonPositiveBoundOrNullCleanupIsRejected() {
        assertThatThrownBy(() -> CurrentTask.shielded(Duration.ZERO, () -> 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("shield bound must be positive, was PT0S");
        assertThatThrownBy(() -> CurrentTask.shielded(Duration.ofSeconds(1), null)).isInstanceOf(NullPointerException.class)
                .hasMessage("cleanup must not be null");
    }

    @Test
    void cancelWithANullReasonIsRejected() throws Exception {
        try (var scope = Scope.named("s").open(Join.<Integer>allSuccessful())) {
            assertThatThrownBy(() -> scope.cancel((String) null)).isInstanceOf(NullPointerException.class);
            assertThat(scope.isCancelled()).isFalse();
            scope.join();
        }
    }
}
