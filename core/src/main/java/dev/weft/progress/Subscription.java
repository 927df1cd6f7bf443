package dev.weft.progress;

/**
 * A listener's registration with a {@link Progress} node, returned by
 * {@link Progress#subscribe(java.time.Duration, java.util.function.Consumer)}.
 *
 * <p>{@link #close()} stops delivery: when it returns (called from any thread other than the listener's own),
 * the listener is not running and will not be called again, and the delivery thread has ended. Called from
 * inside the listener, it stops delivery after the listener returns. Closing is idempotent and never throws.
 *
 * <pre>{@code
 * try (Subscription s = progress.subscribe(Duration.ofMillis(200), snap -> bar.show(snap.fraction()))) {
 *     work(progress);
 * }
 * }</pre>
 */
public sealed interface Subscription extends AutoCloseable permits ListenerDelivery {

    /*
     * Implementation notes: sealed so that the only implementation is the package's delivery thread; see
     * ListenerDelivery.
     */

    /** Stops delivery and waits until the delivery thread has ended (unless called by the listener itself). */
    @Override
    void close();
}
