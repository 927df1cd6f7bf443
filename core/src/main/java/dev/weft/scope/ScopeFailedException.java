package dev.weft.scope;

import java.util.List;

/**
 * A task failed and the join policy failed the scope. The exception names the task by its full path
 * ({@code checkout/pricing/vendorA}); its {@linkplain #getCause() cause} is the first failure in completion
 * order; every later failure of the scope is attached as a {@linkplain #getSuppressed() suppressed}
 * {@code ScopeFailedException} naming its own task, so none is lost. Tasks cancelled because of the failure are
 * not reported.
 */
public final class ScopeFailedException extends ScopeException {

    private final String taskPath;

    ScopeFailedException(String scopePath, String taskPath, String message, Throwable cause) {
        super(scopePath, message, cause);
        this.taskPath = taskPath;
    }

    /** The path of the failed task ({@code checkout/pricing/vendorA}); {@code null} when no single task is to blame. */
    public String taskPath() {
        return taskPath;
    }

    static ScopeFailedException of(String scopePath, List<? extends Task<?>> failedInCompletionOrder, String prefix) {
        Task<?> first = failedInCompletionOrder.getFirst();
        var e = new ScopeFailedException(scopePath, first.path(),
                prefix + describe(first), first.exception());
        for (int i = 1; i < failedInCompletionOrder.size(); i++) {
            Task<?> other = failedInCompletionOrder.get(i);
            e.addSuppressed(new ScopeFailedException(scopePath, other.path(), describe(other), other.exception()));
        }
        return e;
    }

    private static String describe(Task<?> task) {
        return task.state() == TaskState.TIMED_OUT
                ? "task " + task.path() + " timed out: " + task.exception().getMessage()
                : "task " + task.path() + " failed: " + task.exception();
    }
}
