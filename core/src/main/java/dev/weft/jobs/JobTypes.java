package dev.weft.jobs;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The job types registered on a runtime, by name. Filled by the builder, read-only afterwards. */
final class JobTypes {

    private final Map<String, JobType<?, ?>> byName;

    JobTypes(Collection<JobType<?, ?>> types) {
        var map = new LinkedHashMap<String, JobType<?, ?>>();
        for (JobType<?, ?> t : types) {
            map.put(t.name(), t);
        }
        this.byName = Map.copyOf(map);
    }

    /** Adds {@code type} to {@code registered}, refusing a second type of that name. */
    static void register(Map<String, JobType<?, ?>> registered, JobType<?, ?> type) {
        JobType<?, ?> earlier = registered.get(type.name());
        if (earlier != null && earlier != type) {
            throw new IllegalArgumentException("job type \"" + type.name() + "\" is registered twice: "
                    + (earlier.sameShape(type)
                        ? "as two different JobType objects (with their own handlers); register one"
                        : "as " + earlier + " and as " + type + "; a name stands for one payload and result class"));
        }
        registered.put(type.name(), type);
    }

    /**
     * The registered type that {@code type} names.
     *
     * @throws IllegalArgumentException if no type of that name is registered, or the registered one has other
     *                                  classes
     */
    @SuppressWarnings("unchecked")
    <P, R> JobType<P, R> require(JobType<P, R> type) {
        JobType<?, ?> registered = byName.get(type.name());
        if (registered == null) {
            throw new IllegalArgumentException("job type \"" + type.name() + "\" is not registered on this runtime; "
                    + "register it with JobRuntime.builder().register(type) on every runtime that may run it"
                    + (byName.isEmpty() ? " (none is registered)" : " (registered: " + names() + ")"));
        }
        if (!registered.sameShape(type)) {
            throw new IllegalArgumentException("job type \"" + type.name() + "\" is registered as " + registered
                    + ", but the job was submitted as " + type);
        }
        return (JobType<P, R>) registered;
    }

    /** The type named {@code name}, or null. */
    JobType<?, ?> get(String name) {
        return byName.get(name);
    }

    List<String> names() {
        return List.copyOf(byName.keySet());
    }

    boolean isEmpty() {
        return byName.isEmpty();
    }
}
