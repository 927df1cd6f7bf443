package dev.weft.jobs;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * A filter and a page over jobs, for {@link JobRuntime#list(JobQuery)}. Results are ordered newest submission
 * first. Immutable; each method returns a changed copy.
 *
 * <pre>{@code
 * JobPage page = runtime.list(JobQuery.all().states(JobState.RUNNING, JobState.QUEUED).name("crawl").page(0, 50));
 * }</pre>
 *
 * @param states the states to include (all when empty)
 * @param name   only jobs with this exact name, or null for any
 * @param key    only jobs with this exact key, or null for any
 * @param offset how many matching jobs to skip
 * @param limit  how many to return at most, 1 to {@value #MAX_LIMIT}
 */
public record JobQuery(Set<JobState> states, String name, String key, int offset, int limit) {

    /** The largest page. */
    public static final int MAX_LIMIT = 1000;

    public JobQuery {
        states = states == null || states.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(states));
        if (offset < 0) {
            throw new IllegalArgumentException("offset must be zero or positive, was " + offset);
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT + ", was " + limit);
        }
    }

    /** Every job, first page of 100. */
    public static JobQuery all() {
        return new JobQuery(Set.of(), null, null, 0, 100);
    }

    /** Only jobs in one of {@code states}. */
    public JobQuery states(JobState... states) {
        return new JobQuery(states.length == 0 ? Set.of() : EnumSet.of(states[0], states), name, key, offset, limit);
    }

    /** Only jobs named {@code name}. */
    public JobQuery name(String name) {
        return new JobQuery(states, name, key, offset, limit);
    }

    /** Only jobs with business key {@code key}. */
    public JobQuery key(String key) {
        return new JobQuery(states, name, key, offset, limit);
    }

    /** The page: skip {@code offset} matches, return at most {@code limit}. */
    public JobQuery page(int offset, int limit) {
        return new JobQuery(states, name, key, offset, limit);
    }

    boolean matches(JobState state, String jobName, String jobKey) {
        return (states.isEmpty() || states.contains(state))
                && (name == null || name.equals(jobName))
                && (key == null || key.equals(jobKey));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JobQuery q && q.states.equals(states) && Objects.equals(q.name, name)
                && Objects.equals(q.key, key) && q.offset == offset && q.limit == limit;
    }

    @Override
    public int hashCode() {
        return Objects.hash(states, name, key, offset, limit);
    }
}
