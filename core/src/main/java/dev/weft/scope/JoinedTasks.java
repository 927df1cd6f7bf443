package dev.weft.scope;

import java.util.List;
import java.util.Optional;

/** The view of a joined scope handed to its join policy: the tasks and failures as they were at join. */
final class JoinedTasks<T> implements JoinState<T> {

    private final ScopeImpl<T, ?> scope;
    private final List<Task<T>> all;
    private final List<Task<T>> failed;

    JoinedTasks(ScopeImpl<T, ?> scope, List<Task<T>> all, List<Task<T>> failed) {
        this.scope = scope;
        this.all = all;
        this.failed = failed;
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
