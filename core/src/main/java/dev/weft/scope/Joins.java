package dev.weft.scope;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/** The built-in join policies. */
final class Joins {

    private static final Logger log = LoggerFactory.getLogger(Join.class);

    private Joins() {
    }

    private static <T> List<T> values(JoinState<T> state) {
        List<T> values = new ArrayList<>();
        for (Task<T> task : state.tasks()) {
            if (task.state() == TaskState.SUCCEEDED) {
                values.add(task.get());
            }
        }
        return values;
    }

    static final class AllSuccessful<T> implements Join<T, List<T>> {
        @Override
        public boolean onComplete(Task<? extends T> task) {
            return task.state() != TaskState.SUCCEEDED;
        }

        @Override
        public List<T> result(JoinState<T> state) {
            if (!state.failures().isEmpty()) {
                throw state.failure();
            }
            if (state.deadlineExpired()) {
                throw state.timeout();
            }
            // indexed (tasks() is a RandomAccess list): no iterator per join of every allSuccessful scope
            List<Task<T>> tasks = state.tasks();
            List<T> values = new ArrayList<>(tasks.size());
            for (Task<T> task : tasks) {
                values.add(task.get());
            }
            return java.util.Collections.unmodifiableList(values); // List.copyOf would refuse null values
        }
    }

    static final class AnySuccessful<T> implements Join<T, T> {
        /** The first task to succeed; set once by the completing thread that wins the race. */
        private final java.util.concurrent.atomic.AtomicReference<Task<? extends T>> winner =
                new java.util.concurrent.atomic.AtomicReference<>();

        @Override
        public boolean onComplete(Task<? extends T> task) {
            return task.state() == TaskState.SUCCEEDED && winner.compareAndSet(null, task);
        }

        @Override
        public T result(JoinState<T> state) {
            Task<? extends T> first = winner.get();
            if (first != null) {
                return first.get();
            }
            if (state.deadlineExpired()) {
                throw state.timeout();
            }
            if (state.failures().isEmpty()) {
                throw new ScopeFailedException(state.scopePath(), null,
                        "scope " + state.scopePath() + " has no successful task: none was forked", null);
            }
            throw ScopeFailedException.of(state.scopePath(), state.failures(),
                    "every task of " + state.scopePath() + " failed; first: ");
        }
    }

    static final class AllSettled<T> implements Join<T, List<Outcome<T>>> {
        private final BiConsumer<? super Task<? extends T>, ? super Throwable> onFailure;

        AllSettled(BiConsumer<? super Task<? extends T>, ? super Throwable> onFailure) {
            this.onFailure = onFailure;
        }

        @Override
        public boolean onComplete(Task<? extends T> task) {
            if (onFailure != null && task.state() != TaskState.SUCCEEDED) {
                try {
                    onFailure.accept(task, task.exception());
                } catch (RuntimeException | Error e) {
                    log.warn("supervisor failure handler threw while handling {}", task.path(), e);
                }
            }
            return false;
        }

        @Override
        public List<Outcome<T>> result(JoinState<T> state) {
            List<Outcome<T>> outcomes = new ArrayList<>(state.tasks().size());
            for (Task<T> task : state.tasks()) {
                outcomes.add(task.outcome());
            }
            return outcomes;
        }
    }

    /**
     * Quorum. Deterministic rule: success is judged as tasks complete (k successes stop the scope at once), but
     * "k is out of reach" only from the owner's join on, when every task the owner forks has been forked: before
     * that the count of tasks is still growing, and judging against it would make the answer depend on how fast
     * the owner forks. At join, and at each failure after it, the scope stops if the tasks forked minus the
     * failures are fewer than k.
     */
    static final class Quorum<T> implements Join<T, List<T>> {
        private final int k;
        private final AtomicInteger successes = new AtomicInteger();
        private final AtomicInteger failures = new AtomicInteger();
        private final AtomicInteger forked = new AtomicInteger();
        private volatile boolean joining;
        private volatile Task<? extends T> lastFailed;

        Quorum(int k) {
            this.k = k;
        }

        @Override
        public void onFork(Task<? extends T> task) {
            forked.incrementAndGet();
        }

        @Override
        public boolean onComplete(Task<? extends T> task) {
            if (task.state() == TaskState.SUCCEEDED) {
                return successes.incrementAndGet() == k;
            }
            lastFailed = task;
            failures.incrementAndGet();
            return joining && unreachable();
        }

        private boolean unreachable() {
            return forked.get() - failures.get() < k && successes.get() < k;
        }

        /** Called by the owner as join begins: whether k is already out of reach. */
        boolean unreachableAtJoin() {
            joining = true;
            return unreachable() && lastFailed != null;
        }

        CancellationReason unreachableReason() {
            Task<? extends T> t = lastFailed;
            return CancellationReason.siblingFailed(t.path(), t.exception());
        }

        @Override
        public List<T> result(JoinState<T> state) {
            List<T> values = values(state);
            if (values.size() >= k) {
                return values;
            }
            if (state.deadlineExpired()) {
                throw state.timeout();
            }
            if (state.failures().isEmpty()) {
                throw new ScopeFailedException(state.scopePath(), null, "quorum of " + k + " not reached in "
                        + state.scopePath() + ": only " + state.tasks().size() + " task(s) forked", null);
            }
            throw ScopeFailedException.of(state.scopePath(), state.failures(), "quorum of " + k
                    + " not reachable in " + state.scopePath() + " (" + values.size() + " succeeded, "
                    + state.failures().size() + " of " + state.tasks().size() + " failed); first: ");
        }
    }
}
