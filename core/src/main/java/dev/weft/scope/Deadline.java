package dev.weft.scope;

import dev.weft.time.TimeSource;

import java.time.Duration;
import java.util.Optional;

/**
 * A scope's effective deadline: the tighter of its own and its parent's. Only a scope whose own deadline is the
 * effective one arms a timer; a scope with an inherited deadline is stopped by its parent's timer, through the
 * cascade in {@link ScopeImpl#stop}.
 */
final class Deadline {

    private final TimeSource time;
    private final String scopePath;
    /** TimeSource nanos at which the deadline passes; meaningful when finite. */
    private final long atNanos;
    private final boolean finite;
    /** The deadline as declared by the scope that set it, and that scope's path. */
    private final Duration declared;
    private final String setBy;
    /**
     * Whether this scope's own deadline is the effective one, so that arm() starts a timer. Immutable; a scope
     * without one (most scopes) disarms without taking the lock.
     */
    private final boolean ownTimer;
    /** Armed at open by the owner, cleared under the lock by disarm (any thread: a stop, the owner at close). */
    private TimeSource.Timer timer;

    private Deadline(TimeSource time, String scopePath, long atNanos, boolean finite, Duration declared, String setBy) {
        this.time = time;
        this.scopePath = scopePath;
        this.atNanos = atNanos;
        this.finite = finite;
        this.declared = declared;
        this.setBy = setBy;
        this.ownTimer = finite && scopePath.equals(setBy);
    }

    static Deadline of(TimeSource time, String scopePath, Duration own, Deadline parent) {
        boolean parentFinite = parent != null && parent.finite;
        if (own == null) {
            return parentFinite
                    ? new Deadline(time, scopePath, parent.atNanos, true, parent.declared, parent.setBy)
                    : new Deadline(time, scopePath, 0, false, null, null);
        }
        // one clock read, and a clamped span, so `at` never wraps; never compare absolute readings with <
        long at = time.nanoTime() + dev.weft.internal.Nanos.of(own);
        if (parentFinite && parent.atNanos - at <= 0) {
            return new Deadline(time, scopePath, parent.atNanos, true, parent.declared, parent.setBy);
        }
        return new Deadline(time, scopePath, at, true, own, scopePath);
    }

    /** Arms the timer when this scope's own deadline is the effective one. */
    void arm(ScopeImpl<?, ?> scope) {
        if (ownTimer) {
            synchronized (this) {
                if (timer == null) {
                    timer = time.schedule(atNanos, () -> scope.stop(expiredReason(null)));
                }
            }
        }
    }

    /** Cancels the timer, if any; safe to call more than once and from the timer's own thread. */
    void disarm() {
        if (!ownTimer) {
            return; // never armed
        }
        synchronized (this) {
            if (timer != null) {
                timer.cancel();
                timer = null;
            }
        }
    }

    CancellationReason expiredReason(CancellationReason parentReason) {
        String detail = setBy == null || setBy.equals(scopePath)
                ? "deadline of scope " + scopePath + " (" + declared + ") passed"
                : "deadline of scope " + setBy + " (" + declared + "), inherited by " + scopePath + ", passed";
        return new CancellationReason(CancellationReason.Kind.DEADLINE, detail, null);
    }

    Optional<Duration> remaining() {
        if (!finite) {
            return Optional.empty();
        }
        long left = atNanos - time.nanoTime();
        return Optional.of(left <= 0 ? Duration.ZERO : Duration.ofNanos(left));
    }

    /** TimeSource nanos of the deadline; meaningful only when {@link #isFinite()}. */
    long atNanos() {
        return atNanos;
    }

    boolean isFinite() {
        return finite;
    }

    ScopeTimeoutException timeoutException() {
        String message = "scope " + scopePath + " timed out: its deadline of " + declared + " passed"
                + (setBy != null && !setBy.equals(scopePath) ? " (inherited from scope " + setBy + ")" : "");
        return new ScopeTimeoutException(scopePath, declared, message);
    }
}
