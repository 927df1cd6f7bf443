package dev.weft.scope;

import dev.weft.progress.Progress;
import dev.weft.time.TimeSource;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * A structured scope: tasks forked in it run on virtual threads, and the scope does not close while any of them,
 * or any scope nested in them, still runs.
 *
 * <pre>{@code
 * try (var scope = Scope.named("quote").deadline(Duration.ofMillis(300)).open(Join.<Quote>allSuccessful())) {
 *     scope.fork("vendorA", () -> vendorA.quote(item));
 *     scope.fork("vendorB", () -> vendorB.quote(item));
 *     List<Quote> quotes = scope.join();      // values in fork order, or an exception naming quote/vendorX
 * }
 * }</pre>
 *
 * <h2>Structure</h2>
 * The thread that opens a scope owns it: only the owner may {@link #join()} and {@link #close()} it. The owner
 * and the scope's tasks (and their nested scopes' tasks) may {@link #fork}. A scope opened inside a task, or
 * inside another scope's try block, is that scope's child: it inherits its time source and the tighter of the two
 * deadlines, and is cancelled when the parent is. A scope opened by a task has the task in its path
 * ({@code order/pricing/vendors}: scope {@code vendors} opened by task {@code pricing} of scope {@code order}), in
 * exceptions and thread names alike. {@code close()} waits for every thread of the scope, even when the owner is
 * interrupted or a task ignores interrupts; a scope closed without join is cancelled first. Closing a scope
 * closes first the scopes its owner opened after it and left open. A scope whose join has returned, or that is
 * closed, is never the parent of a scope opened later, so a scope left open by mistake on a pooled thread does
 * not affect the scopes opened there afterwards.
 *
 * <h2>Tasks that fork tasks</h2>
 * A task may fork into its own scope (or any enclosing one); {@link #fork(String, TaskBody)} hands the task its
 * scope with its types. The new task is queued and started by the owner the next time it waits in {@code fork},
 * {@code join} or {@link Task#join()}; it obeys the scope's policy, cap and deadline, and {@code join()} does not
 * return while a task that could still fork runs, unless the scope has stopped. A task can wait for one task with
 * {@link Task#join()}; under a concurrency cap it gives up its run slot while it waits.
 *
 * <h2>Stopping</h2>
 * A scope stops once, for the first of: a failure or decision of its {@link Join} policy, its deadline, an
 * explicit {@link #cancel}, its parent's cancellation, or its owner leaving. Stopping stops child scopes, cancels
 * queued tasks, interrupts each running task's thread once, and records a {@link CancellationReason} that every
 * task can read. Exceptions thrown by tasks after the stop are consequences of it and are reported as
 * cancellations, not failures. A fork into a stopped scope, by the owner or by a task, returns a task already
 * {@code CANCELLED} that is not recorded in {@link #tasks()}. The owner of a nested scope whose parent stops gets
 * the parent's reason from {@code join()} ({@link ScopeCancelledException} with
 * {@link CancellationReason.Kind#PARENT_CANCELLED}, or the {@link ScopeTimeoutException} of the scope whose
 * deadline passed), not an {@link InterruptedException}.
 *
 * <h2>Memory effects</h2>
 * Actions in the owner before a {@code fork} happen-before the task runs. Actions of a task that ended on its
 * own (succeeded, failed, or timed out on its own timeout) happen-before {@code join()} returns or throws. A task
 * that join settled as cancelled while its thread still ran may still be running when join returns; the actions
 * of every task happen-before {@link #close()} returns.
 *
 * @param <T> the tasks' result type
 * @param <R> what {@link #join()} returns
 */
public sealed interface Scope<T, R> extends AutoCloseable permits ScopeImpl {

    /** Starts describing a scope named {@code name} (it becomes a segment of task paths and thread names). */
    static Builder named(String name) {
        return new Builder(name);
    }

    /** The scope's name. */
    String name();

    /** The scope's path from its root, {@code checkout/pricing}. */
    String path();

    /** Forks an unnamed task (named {@code task-N}). See {@link #fork(String, Duration, Callable)}. */
    <U extends T> Task<U> fork(Callable<? extends U> task);

    /** Forks a named task. See {@link #fork(String, Duration, Callable)}. */
    <U extends T> Task<U> fork(String name, Callable<? extends U> task);

    /**
     * Forks a named task whose body is handed this scope, typed, so that it can fork more tasks into it without a
     * cast. Otherwise as {@link #fork(String, Duration, Callable)}.
     */
    <U extends T> Task<U> fork(String name, TaskBody<T, ? extends U> task);

    /**
     * Forks {@code task} to run on a new virtual thread, with its own {@code timeout} (or none when
     * {@code null}). The thread is named {@code scopePath/name} while the task runs; from fork until then it is
     * named after the scope, {@code scopePath} (see docs/scopes.md, "Context"). With a concurrency cap, a fork by
     * the owner waits (parked, never spinning) for a free slot before any thread is created, starting tasks forked
     * by tasks meanwhile; a fork by a task queues the task and returns at once. A fork into a stopped scope
     * returns a task already {@code CANCELLED}, not recorded in {@link #tasks()}. The forking thread's MDC and the
     * owner's ScopedValue bindings are visible to the task. If the fork throws, nothing was forked: the scope
     * neither counts nor waits for the task.
     *
     * @throws NullPointerException     if {@code task} is null
     * @throws IllegalArgumentException if {@code timeout} is zero or negative, or {@code name} is blank or
     *                                  contains '/'
     * @throws IllegalStateException    if the owner forks after join or close, a task forks after the scope
     *                                  finished, or the JDK scope under this one was closed because a
     *                                  ScopedValue binding the scope was opened in has ended
     * @throws WrongThreadException     if the caller is neither the owner nor a task running inside this scope
     * @throws java.util.concurrent.StructureViolationException if the owner forks inside a ScopedValue binding
     *                                  that was not in effect when it opened the scope
     * @throws RuntimeException         what the policy's {@link Join#onFork} threw
     */
    <U extends T> Task<U> fork(String name, Duration timeout, Callable<? extends U> task);

    /**
     * Waits until every task has settled, or the scope stops, then returns what the {@link Join} policy answers.
     * After a stop, tasks still running are settled as cancelled (timed out after a deadline) without waiting for
     * them; {@link #close()} waits for their threads.
     *
     * @throws ScopeFailedException    if the policy failed the scope
     * @throws ScopeTimeoutException   if the deadline passed and the policy does not return partial results
     * @throws ScopeCancelledException if the scope was cancelled from outside its policy
     * @throws InterruptedException    if the owner was interrupted while waiting; the scope is then cancelled
     * @throws IllegalStateException   if called twice, or after close
     * @throws WrongThreadException    if the caller is not the owner
     */
    R join() throws InterruptedException;

    /** Cancels the scope and its subtree with reason {@link CancellationReason.Kind#EXPLICIT}. Any thread. */
    default void cancel() {
        cancel("cancelled by " + Thread.currentThread().getName());
    }

    /** Cancels the scope and its subtree, explaining why. Any thread; no effect on a stopped scope. */
    default void cancel(String why) {
        cancel(CancellationReason.explicit(Objects.requireNonNull(why, "why")));
    }

    /** Cancels the scope and its subtree for {@code reason}. Any thread; no effect on a stopped scope. */
    void cancel(CancellationReason reason);

    /** Why the scope stopped, if it has: cancelled, timed out, or stopped early by its policy. */
    Optional<CancellationReason> cancellationReason();

    /** Whether the scope has stopped (see {@link #cancellationReason()}). */
    default boolean isCancelled() {
        return cancellationReason().isPresent();
    }

    /** The scope's state. */
    ScopeState state();

    /** Whether {@link #close()} has finished waiting for every thread of the scope. Any thread. */
    boolean isClosed();

    /** Time left until the effective deadline (zero once passed); empty when there is none. */
    Optional<Duration> remaining();

    /** The enclosing scope, if any. */
    Optional<Scope<?, ?>> parent();

    /** The open child scopes, in no particular order. */
    List<Scope<?, ?>> children();

    /** The tasks forked so far, in fork order. */
    List<Task<T>> tasks();

    /**
     * The scope's progress node. A child scope's node is a child of its parent's, so it appears in the parent's
     * roll-up as soon as the child opens. When the child closes, its node ends in the child's terminal state
     * (complete only if the scope succeeded; otherwise it keeps the fraction of the work done) and is folded into
     * the parent's node, which then holds no reference to it. Tasks reach it with {@link CurrentTask#progress()}.
     */
    Progress progress();

    /** The concurrency cap, or 0 when there is none. */
    int maxConcurrency();

    /**
     * Closes the scope: first closes the scopes its owner opened after this one and left open; if it was not
     * joined, cancels it (reason {@link CancellationReason.Kind#OWNER_EXITED}, state
     * {@link ScopeState#CANCELLED}, even when nothing was forked); then waits, uninterruptibly, until every
     * thread of the scope has finished. A second call returns at once.
     *
     * @throws WrongThreadException if the caller is not the owner
     * @throws java.util.concurrent.StructureViolationException if the owner closes the scope inside a ScopedValue
     *         binding that was not in effect when it opened it; the scope is closed and its threads have ended
     */
    @Override
    void close();

    /**
     * Describes a scope before it opens. Not thread-safe; use once.
     */
    final class Builder {
        private final String name;
        private Duration deadline;
        private int maxConcurrency;
        private TimeSource timeSource;

        Builder(String name) {
            Objects.requireNonNull(name, "scope name must not be null");
            if (name.isBlank() || name.indexOf('/') >= 0) {
                throw new IllegalArgumentException(
                        "scope name must be non-blank and contain no '/', was \"" + name + "\"");
            }
            this.name = name;
        }

        /**
         * Cancels the scope and its subtree when {@code deadline} has passed since {@link #open}. A child scope
         * keeps the tighter of its own deadline and its parent's.
         *
         * @throws IllegalArgumentException if {@code deadline} is zero or negative
         */
        public Builder deadline(Duration deadline) {
            Objects.requireNonNull(deadline, "deadline");
            if (deadline.isNegative() || deadline.isZero()) {
                throw new IllegalArgumentException("deadline must be positive, was " + deadline);
            }
            this.deadline = deadline;
            return this;
        }

        /**
         * Caps the tasks of this scope running at once; forks beyond the cap wait without creating a thread.
         *
         * @throws IllegalArgumentException if {@code max < 1}
         */
        public Builder maxConcurrency(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxConcurrency must be at least 1, was " + max);
            }
            this.maxConcurrency = max;
            return this;
        }

        /** The time source for deadlines and timeouts; by default the parent's, else {@link TimeSource#system()}. */
        public Builder timeSource(TimeSource timeSource) {
            this.timeSource = Objects.requireNonNull(timeSource, "timeSource");
            return this;
        }

        /** Opens the scope, owned by the calling thread, with {@code policy} (a new instance per scope). */
        public <T, R> Scope<T, R> open(Join<T, R> policy) {
            Objects.requireNonNull(policy, "join policy must not be null; e.g. Join.allSuccessful()");
            return new ScopeImpl<>(name, policy, timeSource, deadline, maxConcurrency);
        }
    }
}
