package dev.weft.scope;

import java.util.List;
import java.util.function.BiConsumer;

/**
 * A join policy: decides, as tasks complete, whether the scope should stop early, and what {@link Scope#join()}
 * returns or throws.
 *
 * <table>
 *   <caption>Built-in policies</caption>
 *   <tr><th>policy</th><th>stops early when</th><th>join returns</th><th>join throws</th></tr>
 *   <tr><td>{@link #allSuccessful()}</td><td>a task fails</td><td>all values, fork order</td>
 *       <td>{@link ScopeFailedException} (first failure), {@link ScopeTimeoutException}</td></tr>
 *   <tr><td>{@link #anySuccessful()}</td><td>a task succeeds</td><td>the first value</td>
 *       <td>{@link ScopeFailedException} carrying every failure, {@link ScopeTimeoutException}</td></tr>
 *   <tr><td>{@link #allSettled()}</td><td>never</td><td>every outcome, fork order; after a deadline,
 *       the outcomes so far and the rest {@code TimedOut}</td><td>only {@link ScopeCancelledException}</td></tr>
 *   <tr><td>{@link #quorum(int)}</td><td>k succeeded, or k became impossible</td><td>the values, fork order</td>
 *       <td>{@link ScopeFailedException}, {@link ScopeTimeoutException}</td></tr>
 *   <tr><td>{@link #supervisor(BiConsumer)}</td><td>never (failures go to the handler)</td>
 *       <td>every outcome, fork order</td><td>only {@link ScopeCancelledException}</td></tr>
 * </table>
 * Whatever the policy, a scope cancelled from outside it (explicitly, by its parent, at shutdown) makes
 * {@code join()} throw {@link ScopeCancelledException} without calling {@link #result}.
 *
 * <h2>Writing a policy</h2>
 * {@link #onComplete(Task)} is called once per task that succeeded, failed or timed out on its own, in
 * that task's own thread, possibly concurrently with other calls: keep its state in atomics. Return
 * {@code true} to stop the scope: the unfinished tasks are cancelled with reason
 * {@link CancellationReason.Kind#SIBLING_FAILED} (if the task failed) or
 * {@link CancellationReason.Kind#OUTCOME_DECIDED}. {@link #result(JoinState)} is called once, in the owner
 * thread, after every task is settled. A policy that accepts the first two successes:
 * <pre>{@code
 * final class FirstTwo<T> implements Join<T, List<T>> {
 *     private final AtomicInteger successes = new AtomicInteger();
 *     public boolean onComplete(Task<? extends T> task) {
 *         return task.state() == TaskState.SUCCEEDED && successes.incrementAndGet() == 2;
 *     }
 *     public List<T> result(JoinState<T> state) {
 *         if (state.deadlineExpired()) throw state.timeout();
 *         var values = state.tasks().stream().filter(t -> t.state() == TaskState.SUCCEEDED).map(Task::get).toList();
 *         if (values.size() < 2) throw state.failure();
 *         return values.subList(0, 2);
 *     }
 * }
 * }</pre>
 * A policy instance keeps per-scope state: open each scope with a new one.
 *
 * @param <T> the tasks' result type
 * @param <R> what {@code join()} returns
 */
public interface Join<T, R> {

    /**
     * A task was forked (called in the forking thread, before the task is counted or can run). If it throws, the
     * fork throws that exception and nothing is forked. Does nothing by default.
     */
    default void onFork(Task<? extends T> task) {
    }

    /**
     * A task completed on its own: its state is {@code SUCCEEDED}, {@code FAILED} or {@code TIMED_OUT}. Called
     * in the task's own thread. If it throws, the scope stops (reason
     * {@link CancellationReason.Kind#POLICY_FAILED}) and {@code join()} throws a {@link ScopeFailedException}
     * whose cause is that exception.
     *
     * @return {@code true} to stop the scope and cancel the tasks still unfinished
     */
    boolean onComplete(Task<? extends T> task);

    /**
     * The join's answer, computed once in the owner thread after the scope has settled.
     *
     * @throws ScopeException to make {@code join()} throw it
     */
    R result(JoinState<T> state);

    /** All must succeed: the first failure cancels the rest; returns the values in fork order. */
    static <T> Join<T, List<T>> allSuccessful() {
        return new Joins.AllSuccessful<>();
    }

    /** The first success wins and cancels the rest; if all fail, one exception carries every failure. */
    static <T> Join<T, T> anySuccessful() {
        return new Joins.AnySuccessful<>();
    }

    /**
     * Never fails fast; returns every task's outcome in fork order. After the deadline, returns the outcomes
     * gathered so far and marks the rest {@link Outcome.TimedOut}.
     */
    static <T> Join<T, List<Outcome<T>>> allSettled() {
        return new Joins.AllSettled<>(null);
    }

    /**
     * At least {@code k} tasks must succeed: cancels the rest as soon as {@code k} did. It fails as soon as
     * {@code k} successes are out of reach, judged only from the owner's {@code join()} on (when the owner has
     * forked every task it will): failures before join never stop the scope early, so the answer does not depend
     * on how fast the owner forks. Tasks forked by tasks after join count once they are forked.
     *
     * @throws IllegalArgumentException if {@code k < 1}
     */
    static <T> Join<T, List<T>> quorum(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("quorum k must be at least 1, was " + k);
        }
        return new Joins.Quorum<>(k);
    }

    /**
     * A failing or timed-out task goes to {@code onFailure} (called in that task's own thread, also for a task
     * that hit its own timeout; an exception it throws is logged and ignored) and does not disturb its siblings. Returns every outcome in fork order.
     */
    static <T> Join<T, List<Outcome<T>>> supervisor(BiConsumer<? super Task<? extends T>, ? super Throwable> onFailure) {
        java.util.Objects.requireNonNull(onFailure, "onFailure");
        return new Joins.AllSettled<>(onFailure);
    }
}
