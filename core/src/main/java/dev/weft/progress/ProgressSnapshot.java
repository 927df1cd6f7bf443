package dev.weft.progress;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * What a {@link Progress} node reported at one moment: an immutable value.
 *
 * <p>Guarantees: {@code 0 <= done <= total}, {@code 0.0 <= fraction <= 1.0}; {@code complete} exactly when
 * {@code state} is {@link ProgressState#SUCCEEDED SUCCEEDED}, and then {@code fraction == 1.0}. The fraction is the
 * work done; {@code state} says separately whether the work is still running and how it ended, so a node that
 * failed at 3 of 100 units reports {@code fraction 0.03, complete false, state FAILED}. {@code done} and {@code total} were read together (atomically) from the node;
 * {@code fraction} rolls up the node's children (see {@link Progress} for the formula); {@code step} and
 * {@code message} were read separately, so they may be a little newer or older than the counts.
 *
 * <pre>{@code
 * ProgressSnapshot s = progress.snapshot();
 * System.out.printf("%s: %d/%d (%.0f%%) eta %s%n", s.name(), s.done(), s.total(), 100 * s.fraction(),
 *         s.eta().map(Duration::toSeconds).map(x -> x + "s").orElse("?"));
 * }</pre>
 *
 * @param name     the node's name
 * @param done     units done by the node itself (not its children)
 * @param total    units the node itself expects to do, as known so far; 0 while unknown
 * @param fraction rolled-up completion in {@code [0, 1]}, counting the weighted children
 * @param step     the current step's name, or {@code null}
 * @param message  the last message, or {@code null}
 * @param rate     smoothed speed in units of the node's own work per second; empty while too little is known
 * @param eta      estimated time left; empty while unknown or once ended unsuccessfully, {@link Duration#ZERO}
 *                 once complete
 * @param complete whether all the work was done: the node ended {@code SUCCEEDED}
 * @param state    {@code RUNNING}, or how the node ended
 * @param takenAt  when the snapshot was taken, by the node's {@link dev.weft.time.TimeSource}
 */
public record ProgressSnapshot(String name, long done, long total, double fraction, String step, String message,
                               OptionalDouble rate, Optional<Duration> eta, boolean complete, ProgressState state,
                               Instant takenAt) {

    /*
     * Implementation notes: the compact constructor re-checks the invariants the node guarantees, so that a
     * snapshot that breaks them fails loudly where it is made rather than where it is shown.
     */

    /**
     * @throws NullPointerException     if {@code name}, {@code rate}, {@code eta}, {@code state} or {@code takenAt}
     *                                  is null
     * @throws IllegalArgumentException if {@code 0 <= done <= total} or {@code 0 <= fraction <= 1} does not hold,
     *                                  if {@code complete} does not match {@code state == SUCCEEDED}, or a complete
     *                                  snapshot has a fraction other than 1.0
     */
    public ProgressSnapshot {
        Objects.requireNonNull(name, "name is null; a snapshot needs its node's name");
        Objects.requireNonNull(rate, "rate is null; use OptionalDouble.empty() when unknown");
        Objects.requireNonNull(eta, "eta is null; use Optional.empty() when unknown");
        Objects.requireNonNull(state, "state is null; use RUNNING for work that has not ended");
        Objects.requireNonNull(takenAt, "takenAt is null");
        if (done < 0 || done > total) {
            throw new IllegalArgumentException("done=" + done + ", total=" + total + "; need 0 <= done <= total");
        }
        if (!(fraction >= 0.0 && fraction <= 1.0)) {
            throw new IllegalArgumentException("fraction=" + fraction + "; need 0.0 <= fraction <= 1.0");
        }
        if (complete != (state == ProgressState.SUCCEEDED)) {
            throw new IllegalArgumentException("complete=" + complete + " with state " + state
                    + "; a snapshot is complete exactly when its state is SUCCEEDED");
        }
        if (complete && fraction != 1.0) {
            throw new IllegalArgumentException("a complete snapshot has fraction 1.0, was " + fraction);
        }
    }
}
