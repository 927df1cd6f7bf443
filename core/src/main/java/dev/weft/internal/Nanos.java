package dev.weft.internal;

import java.time.Duration;

/**
 * Durations as nanoseconds on a monotonic clock whose origin is arbitrary ({@link System#nanoTime()}).
 *
 * <p>Points on such a clock may only be compared by subtraction ({@code a - b < 0}), and only while they are
 * less than 2^63 ns apart. {@link #of(Duration)} clamps a span to {@link #MAX_SPAN} (about 73 years) so that
 * {@code now + span} never wraps and every such comparison stays valid; nothing that Weft schedules is meant
 * to wait longer than that.
 */
public final class Nanos {

    /** The longest span Weft adds to a clock reading: {@code Long.MAX_VALUE / 4} ns, about 73 years. */
    public static final long MAX_SPAN = Long.MAX_VALUE / 4;

    private Nanos() {
    }

    /** {@code d} in nanoseconds, clamped to {@code [-MAX_SPAN, MAX_SPAN]}. */
    public static long of(Duration d) {
        if (d.compareTo(Duration.ofNanos(MAX_SPAN)) >= 0) {
            return MAX_SPAN;
        }
        if (d.compareTo(Duration.ofNanos(-MAX_SPAN)) <= 0) {
            return -MAX_SPAN;
        }
        return d.toNanos();
    }
}
