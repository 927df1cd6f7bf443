package dev.weft.micrometer;

import dev.weft.jobs.JobEvent;
import dev.weft.jobs.JobRecord;
import dev.weft.jobs.JobRuntime;
import dev.weft.jobs.JobState;
import dev.weft.jobs.JobSubscription;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Micrometer meters for a {@link JobRuntime}:
 * <ul>
 *   <li>{@code weft.jobs} (gauge, tag {@code state}): how many jobs are in each state now, from
 *       {@link JobRuntime#counts()}; for terminal states that is the number retained;</li>
 *   <li>{@code weft.jobs.duration} (timer, tag {@code state}): how long each job ran, from start to its terminal
 *       state, by that state (jobs cancelled while queued never ran and are not timed);</li>
 *   <li>{@code weft.jobs.finished} (counter, tag {@code state}): jobs that reached each terminal state.</li>
 * </ul>
 * Every meter also carries the tags given to the constructor. Timer and counters are fed by a
 * {@link dev.weft.jobs.JobListener} on FINISHED events, registered by {@link #bindTo(MeterRegistry)} and removed by
 * {@link #close()}; they count the jobs that finish after binding.
 *
 * <pre>{@code
 * try (var metrics = new WeftJobMetrics(jobs, Tags.of("runtime", "billing"))) {
 *     metrics.bindTo(registry);
 *     ...
 * }
 * }</pre>
 *
 * <p>This binder lives in its own module ({@code weft-micrometer}); {@code weft-core} does not depend on
 * Micrometer, so an application without it pays nothing.
 *
 * <p>Thread safety: {@link #bindTo} and {@link #close} may be called from any thread.
 */
public final class WeftJobMetrics implements MeterBinder, AutoCloseable {

    /*
     * Implementation notes: each gauge calls counts(), which walks the runtime's queryable jobs (bounded by
     * retention), so a scrape costs O(retained) per state; cheap next to a scrape interval. The listener runs on
     * the thread that ends a job, so it only looks up pre-registered meters and records: no allocation of meters
     * on the job's path.
     */

    private final JobRuntime runtime;
    private final Tags tags;
    private final CopyOnWriteArrayList<JobSubscription> subscriptions = new CopyOnWriteArrayList<>();

    /** Meters for {@code runtime}, without extra tags. */
    public WeftJobMetrics(JobRuntime runtime) {
        this(runtime, Tags.empty());
    }

    /** Meters for {@code runtime}, each carrying {@code tags}. */
    public WeftJobMetrics(JobRuntime runtime, Iterable<Tag> tags) {
        this.runtime = Objects.requireNonNull(runtime, "runtime");
        this.tags = Tags.of(Objects.requireNonNull(tags, "tags"));
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        Map<JobState, Timer> timers = new EnumMap<>(JobState.class);
        Map<JobState, Counter> finished = new EnumMap<>(JobState.class);
        for (JobState state : JobState.values()) {
            Tags stateTags = tags.and("state", tagValue(state));
            Gauge.builder("weft.jobs", runtime, r -> r.counts().get(state))
                    .description("jobs in this state now (terminal states: as retained)")
                    .tags(stateTags)
                    .strongReference(true)
                    .register(registry);
            if (state.isTerminal()) {
                timers.put(state, Timer.builder("weft.jobs.duration")
                        .description("how long jobs ran, by final state")
                        .tags(stateTags)
                        .register(registry));
                finished.put(state, Counter.builder("weft.jobs.finished")
                        .description("jobs that reached this terminal state")
                        .tags(stateTags)
                        .register(registry));
            }
        }
        subscriptions.add(runtime.subscribe(event -> {
            if (event.type() != JobEvent.Type.FINISHED) {
                return;
            }
            JobRecord r = event.job();
            Counter c = finished.get(r.state());
            if (c == null) {
                return;
            }
            c.increment();
            Duration ran = r.finishedAt() != null ? r.duration(r.finishedAt()) : null;
            if (ran != null) {
                timers.get(r.state()).record(ran);
            }
        }));
    }

    /** Stops feeding the timers and counters of every registry this binder was bound to. Idempotent. */
    @Override
    public void close() {
        for (JobSubscription s : subscriptions) {
            s.close();
        }
        subscriptions.clear();
    }

    private static String tagValue(JobState state) {
        return state.name().toLowerCase(Locale.ROOT);
    }
}
