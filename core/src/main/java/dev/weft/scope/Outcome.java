package dev.weft.scope;

import java.util.Objects;

/**
 * How one task ended, as returned by {@link Join#allSettled()} and {@link Join#supervisor}: a value, a
 * failure, a cancellation with its reason, or a timeout. Made for pattern matching:
 *
 * <pre>{@code
 * for (Outcome<Quote> o : scope.join()) {
 *     switch (o) {
 *         case Outcome.Success<Quote> s   -> use(s.value());
 *         case Outcome.Failure<Quote> f   -> log.warn("{} failed", f.task(), f.exception());
 *         case Outcome.Cancelled<Quote> c -> log.info("{} cancelled: {}", c.task(), c.reason());
 *         case Outcome.TimedOut<Quote> t  -> log.info("{} timed out", t.task());
 *     }
 * }
 * }</pre>
 *
 * @param <T> the task's result type
 */
public sealed interface Outcome<T> {

    /** The task's name. */
    String task();

    /** The task returned {@code value} (which may be {@code null}). */
    record Success<T>(String task, T value) implements Outcome<T> {
        public Success {
            Objects.requireNonNull(task, "task");
        }
    }

    /** The task threw {@code exception}. */
    record Failure<T>(String task, Throwable exception) implements Outcome<T> {
        public Failure {
            Objects.requireNonNull(task, "task");
            Objects.requireNonNull(exception, "exception");
        }
    }

    /** The task was cancelled before it finished, for {@code reason}. */
    record Cancelled<T>(String task, CancellationReason reason) implements Outcome<T> {
        public Cancelled {
            Objects.requireNonNull(task, "task");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** The task's own timeout, or its scope's deadline, passed before it finished. */
    record TimedOut<T>(String task, CancellationReason reason) implements Outcome<T> {
        public TimedOut {
            Objects.requireNonNull(task, "task");
            Objects.requireNonNull(reason, "reason");
        }
    }
}
