package dev.weft.scope;

import java.util.Collections;
import java.util.List;
import java.util.Optional;

/** The view of a joined scope handed to its join policy: the tasks and failures as they were at join. */
final class JoinedTasks<T> implements JoinState<T> {

    private final ScopeImpl<T, ?> scope;
    /** The tasks at join, in fork order: a private copy that nothing changes. */
    private final List<TaskImpl<T>> snapshot;
    private final List<Task<T>> all;
    private final List<Task<T>> failed;

    JoinedTasks(ScopeImpl<T, ?> scope) {
        this.scope = scope;
        this.snapshot = scope.taskList();
        this.all = Collections.unmodifiableList(snapshot); // a private copy already: no second copy
        this.failed = List.copyOf(scope.failureList());
    }

    /** How many tasks {@link #tasks()} holds; with {@link #task(int)}, the built-in policies' indexed walk. */
    int taskCount() {
        return snapshot.size();
    }

    /** The {@code i}-th task of {@link #tasks()}. */
    TaskImpl<T> task(int i) {
        return snapshot.get(i);
    }

    @Override
    public String scopePath() {
        return scope.path();
    }

    @Override
    public List<Task<T>> tasks() {
        return all;
    }

    @Override
    public List<Task<T>> failures() {
        return failed;
    }

    @Override
    public Optional<CancellationReason> stopReason() {
        return Optional.ofNullable(scope.stopReason());
    }

    @Override
    public boolean deadlineExpired() {
        return scope.deadlineExpired();
    }

    @Override
    public ScopeFailedException failure() {
        if (failed.isEmpty()) {
            throw new IllegalStateException("scope " + scope.path() + " has no failed task");
        }
        return ScopeFailedException.of(scope.path(), failed, "");
    }

    @Override
    public ScopeTimeoutException timeout() {
        return scope.deadline.timeoutException();
    }
}
