package dev.weft.jobs;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * A filter and a page over jobs, for {@link JobRuntime#list(JobQuery)}. Results are ordered newest submission
 * first (ties, which ids make impossible, by id), so paging through an unchanging set of jobs never repeats or
 * skips one. Immutable; each method returns a changed copy.
 *
 * <pre>{@code
 * JobPage page = runtime.list(JobQuery.all().states(JobState.RUNNING, JobState.QUEUED).search("tenant-7").page(0, 50));
 * }</pre>
 *
 * @param states the states to include (all when empty)
 * @param name   only jobs with this exact name, or null for any
 * @param key    only jobs with this exact key, or null for any
 * @param group  only jobs of this exact group, or null for any
 * @param type   only jobs of this {@linkplain JobType job type} (its name), or null for any
 * @param search only jobs whose name, key or id contains this text, ignoring case, or null for any
 * @param offset how many matching jobs to skip
 * @param limit  how many to return at most, 1 to {@value #MAX_LIMIT}
 */
public record JobQuery(Set<JobState> states, String name, String key, String group, String type, String search,
                       int offset, int limit) {

    /** The largest page. */
    public static final int MAX_LIMIT = 1000;
    /** The longest search text, in characters. */
    public static final int MAX_SEARCH = 200;

    public JobQuery {
        states = states == null || states.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(states));
        search = search == null || search.isBlank() ? null : search.strip();
        if (search != null && search.length() > MAX_SEARCH) {
            throw new IllegalArgumentException("search must be at most " + MAX_SEARCH + " characters, was "
                    + search.length());
        }
        if (offset < 0) {
            throw new IllegalArgumentException("offset must be zero or positive, was " + offset);
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT + ", was " + limit);
        }
    }

    /** A query by states, name and key only. */
    public JobQuery(Set<JobState> states, String name, String key, int offset, int limit) {
        this(states, name, key, null, null, null, offset, limit);
    }

    /** Every job, first page of 100. */
    public static JobQuery all() {
        return new JobQuery(Set.of(), null, null, 0, 100);
    }

    /** Only jobs in one of {@code states}. */
    public JobQuery states(JobState... states) {
        return new JobQuery(states.length == 0 ? Set.of() : EnumSet.of(states[0], states), name, key, group, type,
                search, offset, limit);
    }

    /** Only jobs named {@code name}. */
    public JobQuery name(String name) {
        return new JobQuery(states, name, key, group, type, search, offset, limit);
    }

    /** Only jobs with business key {@code key}. */
    public JobQuery key(String key) {
        return new JobQuery(states, name, key, group, type, search, offset, limit);
    }

    /** Only jobs of group {@code group}. */
    public JobQuery group(String group) {
        return new JobQuery(states, name, key, group, type, search, offset, limit);
    }

    /** Only jobs of the job type named {@code type}. */
    public JobQuery type(String type) {
        return new JobQuery(states, name, key, group, type, search, offset, limit);
    }

    /** Only jobs whose name, key or id contains {@code text}, ignoring case (null or blank: any). */
    public JobQuery search(String text) {
        return new JobQuery(states, name, key, group, type, text, offset, limit);
    }

    /** The page: skip {@code offset} matches, return at most {@code limit}. */
    public JobQuery page(int offset, int limit) {
        return new JobQuery(states, name, key, group, type, search, offset, limit);
    }

    boolean matches(JobState state, String jobName, String jobKey) {
        return (states.isEmpty() || states.contains(state))
                && (name == null || name.equals(jobName))
                && (key == null || key.equals(jobKey));
    }

    boolean matches(JobState state, String id, String jobName, String jobKey, String jobGroup, String jobType) {
        return matches(state, jobName, jobKey)
                && (group == null || group.equals(jobGroup))
                && (type == null || type.equals(jobType))
                && (search == null || contains(jobName, search) || contains(jobKey, search) || contains(id, search));
    }

    private static boolean contains(String text, String part) {
        return text != null && text.toLowerCase(Locale.ROOT).contains(part.toLowerCase(Locale.ROOT));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JobQuery q && q.states.equals(states) && Objects.equals(q.name, name)
                && Objects.equals(q.key, key) && Objects.equals(q.group, group) && Objects.equals(q.type, type)
                && Objects.equals(q.search, search) && q.offset == offset && q.limit == limit;
    }

    @Override
    public int hashCode() {
        return Objects.hash(states, name, key, group, type, search, offset, limit);
    }
}
