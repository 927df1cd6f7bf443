package dev.weft.scope;

import dev.weft.progress.Progress;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * What a task can learn about itself from inside, without plumbing: its path, whether and why it was cancelled,
 * and how much time it has left.
 *
 * <pre>{@code
 * scope.fork("crawl", () -> {
 *     while (!CurrentTask.isCancelled()) { ... }
 *     return CurrentTask.cancellationReason().map(Object::toString).orElse("done");
 * });
 * }</pre>
 * Every method may be called from any thread; outside a Weft task they answer "no task" (see each method).
 */
public final class CurrentTask {

    private CurrentTask() {
    }

    /** Whether the calling thread runs a Weft task. */
    public static boolean isPresent() {
        return TaskImpl.current() != null;
    }

    /** The calling task's path ({@code checkout/pricing/vendorA}); empty outside a task. */
    public static Optional<String> path() {
        TaskImpl<?> t = TaskImpl.current();
        return t == null ? Optional.empty() : Optional.of(t.path());
    }

    /** The calling task's scope; empty outside a task. */
    public static Optional<Scope<?, ?>> scope() {
        TaskImpl<?> t = TaskImpl.current();
        return t == null ? Optional.empty() : Optional.of(t.scope);
    }

    /**
     * The progress node of the calling task's scope, where a task reports its work without plumbing:
     * {@code CurrentTask.progress().ifPresent(p -> p.advance())}. Empty outside a task.
     */
    public static Optional<Progress> progress() {
        TaskImpl<?> t = TaskImpl.current();
        return t == null ? Optional.empty() : Optional.of(t.scope.progress());
    }

    /**
     * Why the calling task was cancelled: its own timeout, or the reason its scope stopped. Empty while it may
     * go on, and outside a task.
     */
    public static Optional<CancellationReason> cancellationReason() {
        TaskImpl<?> t = TaskImpl.current();
        if (t == null) {
            return Optional.empty();
        }
        Optional<CancellationReason> own = t.cancellationReason();
        return own.isPresent() ? own : t.scope.cancellationReason();
    }

    /** Whether the calling task was cancelled (see {@link #cancellationReason()}). */
    public static boolean isCancelled() {
        return cancellationReason().isPresent();
    }

    /**
     * Time left until the nearer of the task's own timeout and its scope's deadline (zero once passed); empty
     * when neither is set, and outside a task.
     */
    public static Optional<Duration> remaining() {
        TaskImpl<?> t = TaskImpl.current();
        if (t == null) {
            return Optional.empty();
        }
        Deadline scopeDeadline = t.scope.deadline;
        boolean own = t.timeoutNanos() > 0 && t.thread() == Thread.currentThread();
        if (!scopeDeadline.isFinite() && !own) {
            return Optional.empty();
        }
        long at;
        if (!scopeDeadline.isFinite()) {
            at = t.timeoutAtNanos;
        } else if (own && t.timeoutAtNanos - scopeDeadline.atNanos() < 0) {
            at = t.timeoutAtNanos;
        } else {
            at = scopeDeadline.atNanos();
        }
        long left = at - t.scope.time.nanoTime();
        return Optional.of(left <= 0 ? Duration.ZERO : Duration.ofNanos(left));
    }

    /**
     * Runs {@code cleanup} shielded from the calling task's cancellation, for at most {@code max}: cancelling
     * the task (its scope stopping, its timeout, the owner closing the scope) does not interrupt the cleanup;
     * the interrupt is deferred and the calling thread's interrupt status is set again when this method returns.
     * If the cleanup is still running when {@code max} has passed (on the scope's time source), it is
     * interrupted; this method still returns only once it has returned, so no thread outlives it and the
     * enclosing scope's {@code close()} waits for the cleanup as for the task itself.
     *
     * <pre>{@code
     * scope.fork("upload", () -> {
     *     try {
     *         return upload(file);
     *     } finally {
     *         CurrentTask.shielded(Duration.ofSeconds(2), () -> { staging.delete(file); return null; });
     *     }
     * });
     * }</pre>
     * The cleanup runs in the calling thread, so it sees the task's ScopedValue bindings and MDC
     * ({@code CurrentTask} still answers for the task, and {@link #isCancelled()} tells the truth). It may use
     * Weft: a scope or a {@link Retry} opened in the cleanup is not cancelled by the task's cancellation (it is a
     * root scope, bounded only by its own deadline and by {@code max}). An interrupt the thread had before the
     * call is deferred too. Outside a Weft task it runs the same way, bounded on the system clock, and does not
     * defer interrupts from elsewhere. It must not fork into the task's scope.
     *
     * @return what {@code cleanup} returned
     * @throws Exception                what {@code cleanup} threw (an {@link InterruptedException} if it
     *                                  was interrupted at the bound and let that escape)
     * @throws NullPointerException     if {@code max} or {@code cleanup} is null
     * @throws IllegalArgumentException if {@code max} is zero or negative
     */
    public static <V> V shielded(Duration max, Callable<V> cleanup) throws Exception {
        return Shield.run(max, cleanup);
    }
}
