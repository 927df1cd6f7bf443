package dev.weft.jobs;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * How long, and how many, finished jobs stay queryable, per terminal state. The oldest finished job of a state
 * goes first when its state holds more than its count, or as soon as it is older than its age. Queued and running
 * jobs are never evicted. Immutable.
 *
 * <pre>{@code
 * Retention r = Retention.keep(Duration.ofMinutes(10), 1_000)            // SUCCEEDED, CANCELLED
 *         .forState(JobState.FAILED, Duration.ofHours(24), 10_000);     // keep failures longer
 * }</pre>
 */
public final class Retention {

    private final Map<JobState, Duration> maxAge;
    private final Map<JobState, Integer> maxCount;

    private Retention(Map<JobState, Duration> maxAge, Map<JobState, Integer> maxCount) {
        this.maxAge = maxAge;
        this.maxCount = maxCount;
    }

    /**
     * Keeps every terminal state for at most {@code maxAge} and at most {@code maxCount} jobs.
     *
     * @throws IllegalArgumentException if {@code maxAge} is negative or {@code maxCount} is negative
     */
    public static Retention keep(Duration maxAge, int maxCount) {
        var ages = new EnumMap<JobState, Duration>(JobState.class);
        var counts = new EnumMap<JobState, Integer>(JobState.class);
        for (JobState s : JobState.values()) {
            if (s.isTerminal()) {
                ages.put(s, check(maxAge));
                counts.put(s, check(maxCount));
            }
        }
        return new Retention(ages, counts);
    }

    /** The default: every terminal state kept for 1 hour, at most 10,000 jobs each. */
    public static Retention defaults() {
        return keep(Duration.ofHours(1), 10_000);
    }

    /**
     * Changes the limits of one terminal state.
     *
     * @throws IllegalArgumentException if {@code state} is not terminal, or a limit is negative
     */
    public Retention forState(JobState state, Duration maxAge, int maxCount) {
        Objects.requireNonNull(state, "state");
        if (!state.isTerminal()) {
            throw new IllegalArgumentException("retention applies to terminal states only (SUCCEEDED, FAILED, "
                    + "CANCELLED, TIMED_OUT); " + state + " jobs are never evicted");
        }
        var ages = new EnumMap<>(this.maxAge);
        var counts = new EnumMap<>(this.maxCount);
        ages.put(state, check(maxAge));
        counts.put(state, check(maxCount));
        return new Retention(ages, counts);
    }

    /** How long jobs ending in {@code state} stay queryable. */
    public Duration maxAge(JobState state) {
        return maxAge.get(state);
    }

    /** How many jobs ending in {@code state} stay queryable at most. */
    public int maxCount(JobState state) {
        return maxCount.get(state);
    }

    private static Duration check(Duration age) {
        Objects.requireNonNull(age, "maxAge");
        if (age.isNegative()) {
            throw new IllegalArgumentException("retention maxAge must be zero or positive, was " + age);
        }
        return age;
    }

    private static int check(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("retention maxCount must be zero or positive, was " + count);
        }
        return count;
    }
}
