package dev.weft.progress;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * One immutable sample of a node's speed: when it was taken, what the node had done then, and the smoothed
 * rates so far. A node holds its latest sample and replaces it (by CAS) on a snapshot taken at least
 * {@link #SAMPLE_PERIOD_NANOS} after it.
 */
final class RateEstimate {

    /*
     * Implementation notes: the rates are exponentially weighted moving averages over time, not over samples:
     * a sample dt seconds after the previous one moves the average by alpha = 1 - exp(-dt / TAU) towards the
     * speed seen over those dt seconds, so irregular sampling (snapshots are taken whenever someone asks)
     * weighs each second of history equally. The first estimate is the plain speed over the first period.
     *
     * Two speeds are tracked: units of the node's own work per second (reported as the rate) and rolled-up
     * fraction per second (used for the ETA, so that a parent whose work is all in its children still gets
     * one). For a leaf with a fixed total both give the same ETA: (total - done) / rate. A drop of the
     * fraction (the total grew) counts as zero speed, not negative speed.
     */

    /** Minimum time between two samples: snapshots closer together reuse the last estimate. */
    static final long SAMPLE_PERIOD_NANOS = Duration.ofMillis(100).toNanos();
    /** Time constant of the moving averages, in seconds. */
    static final double TAU_SECONDS = 5.0;
    /** ETAs beyond this are reported as unknown. */
    private static final double MAX_ETA_SECONDS = Duration.ofDays(365 * 100).toSeconds();

    final long atNanos;
    final long done;
    final double fraction;
    /** Units per second; NaN until the first period has passed. */
    final double rate;
    /** Fraction per second; NaN until the first period has passed. */
    final double fractionRate;

    private RateEstimate(long atNanos, long done, double fraction, double rate, double fractionRate) {
        this.atNanos = atNanos;
        this.done = done;
        this.fraction = fraction;
        this.rate = rate;
        this.fractionRate = fractionRate;
    }

    /** The sample of a node created at {@code nowNanos}: nothing done, nothing known about speed. */
    static RateEstimate start(long nowNanos) {
        return new RateEstimate(nowNanos, 0, 0.0, Double.NaN, Double.NaN);
    }

    /** Whether a snapshot at {@code nowNanos} should take a new sample. */
    boolean due(long nowNanos) {
        return nowNanos - atNanos >= SAMPLE_PERIOD_NANOS;
    }

    /** The sample that follows this one when the node is seen at {@code done}/{@code fraction} at {@code nowNanos}. */
    RateEstimate next(long nowNanos, long done, double fraction) {
        double seconds = (nowNanos - atNanos) / 1e9;
        double unitSpeed = Math.max(0, done - this.done) / seconds;
        double fractionSpeed = Math.max(0.0, fraction - this.fraction) / seconds;
        if (Double.isNaN(rate)) {
            return new RateEstimate(nowNanos, done, fraction, unitSpeed, fractionSpeed);
        }
        double alpha = 1.0 - Math.exp(-seconds / TAU_SECONDS);
        return new RateEstimate(nowNanos, done, fraction,
                rate + alpha * (unitSpeed - rate),
                fractionRate + alpha * (fractionSpeed - fractionRate));
    }

    OptionalDouble rate() {
        return Double.isNaN(rate) ? OptionalDouble.empty() : OptionalDouble.of(rate);
    }

    /**
     * Time left to go from {@code fraction} to 1.0 at the smoothed speed of the fraction, if known and finite; zero
     * once the work succeeded, empty once it ended otherwise.
     */
    Optional<Duration> eta(double fraction, ProgressState state) {
        if (state == ProgressState.SUCCEEDED) {
            return Optional.of(Duration.ZERO);
        }
        if (state.hasEnded()) {
            return Optional.empty(); // ended without finishing: the rest of the work will not be done
        }
        if (!(fractionRate > 0.0)) {
            return Optional.empty(); // NaN (too early) or no movement yet
        }
        double seconds = (1.0 - fraction) / fractionRate;
        if (!(seconds <= MAX_ETA_SECONDS)) {
            return Optional.empty();
        }
        long whole = (long) seconds;
        return Optional.of(Duration.ofSeconds(whole, Math.round((seconds - whole) * 1e9)));
    }
}
