package dev.weft.bench.durable;

import dev.weft.jobs.JobRuntime;
import dev.weft.jobs.JobState;
import dev.weft.jobs.JobType;
import dev.weft.jobs.spi.JobStore;

import javax.sql.DataSource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

/**
 * Weft's job runtime on its PostgreSQL store, through the public API:
 * {@code JobRuntime.builder().store(PostgresJobStore.builder(dataSource).build()).register(type).maxRunning(n)}, and
 * typed jobs {@code runtime.submit(type, payload)}.
 *
 * <p>{@code PostgresJobStore} is looked up by name, so this program builds and runs (skipping Weft with the reason)
 * on a tree where the store or the durable runtime is not there yet. A bulk-submit method on {@link JobRuntime}
 * ({@code submitAll(JobType, Collection)}) is used when the runtime has one; otherwise bulk submits are single
 * {@code submit} calls from a fixed number of submitting threads, as concurrent request threads would make them.
 */
final class WeftContender implements Contender {

    /** The job's payload: its index. */
    public record Payload(int index) {
    }

    static final String STORE_CLASS = "dev.weft.postgres.PostgresJobStore";

    private final JobType<Payload, Void> type = JobType.of("noop", Payload.class, Void.class, (ctx, p) -> {
        Recorder.ran(p.index());
        return null;
    });
    private JobRuntime runtime;
    private Method submitAll;
    private int maxRunning;
    private int submitters;

    @Override
    public String name() {
        return "weft";
    }

    @Override
    public List<String> settings() {
        return List.of("Weft's durable runtime (this build), one node, "
                        + "PostgresJobStore.builder(dataSource).build() (its defaults), other runtime settings default",
                "maxRunning(" + maxRunning + ")",
                submitAll != null
                        ? "bulk submit: JobRuntime.submitAll(type, payloads)"
                        : "bulk submit: JobRuntime has no batch API; runtime.submit(type, payload) from " + submitters
                                + " submitting threads (the runtime commits concurrent submits together)",
                "latency: runtime.submit(type, payload); unfinished = QUEUED + RUNNING in runtime.counts()");
    }

    @Override
    public void start(DataSource ds, Options o) throws Exception {
        maxRunning = o.weftMaxRunning();
        submitters = o.weftSubmitters();
        JobStore store;
        try {
            Class<?> storeClass = Class.forName(STORE_CLASS);
            Object builder = storeClass.getMethod("builder", DataSource.class).invoke(null, ds);
            store = (JobStore) builder.getClass().getMethod("build").invoke(builder);
        } catch (ClassNotFoundException e) {
            throw new Unavailable(STORE_CLASS + " is not in this build (the PostgreSQL store has not landed)", e);
        } catch (NoSuchMethodException e) {
            throw new Unavailable(STORE_CLASS + " has no builder(DataSource).build()", e);
        } catch (InvocationTargetException e) {
            throw new Unavailable("PostgresJobStore.builder(dataSource).build() failed: " + e.getCause(), e.getCause());
        }
        try {
            runtime = JobRuntime.builder().store(store).register(type).maxRunning(maxRunning).build();
        } catch (UnsupportedOperationException e) {
            throw new Unavailable("JobRuntime.build() with a store is not supported yet: " + e.getMessage(), e);
        }
        for (Method m : JobRuntime.class.getMethods()) {
            if (m.getName().equals("submitAll") && m.getParameterCount() == 2
                    && m.getParameterTypes()[0] == JobType.class
                    && m.getParameterTypes()[1].isAssignableFrom(List.class)) {
                submitAll = m;
            }
        }
    }

    @Override
    public void submitMany(int from, int to) throws Exception {
        if (submitAll != null) {
            List<Payload> payloads = IntStream.range(from, to).mapToObj(Payload::new).toList();
            submitAll.invoke(runtime, type, payloads);
            return;
        }
        try (ExecutorService pool = Executors.newFixedThreadPool(submitters, Thread.ofVirtual().factory())) {
            List<Future<?>> all = new ArrayList<>();
            int n = to - from;
            for (int t = 0; t < submitters; t++) {
                int lo = from + (int) ((long) n * t / submitters);
                int hi = from + (int) ((long) n * (t + 1) / submitters);
                all.add(pool.submit(() -> {
                    for (int i = lo; i < hi; i++) {
                        runtime.submit(type, new Payload(i));
                    }
                    return null;
                }));
            }
            for (Future<?> f : all) {
                f.get();
            }
        }
    }

    @Override
    public void submitOne(int index) {
        runtime.submit(type, new Payload(index));
    }

    @Override
    public long unfinishedInStore() {
        Map<JobState, Long> counts = runtime.counts();
        return counts.get(JobState.QUEUED) + counts.get(JobState.RUNNING);
    }

    @Override
    public void close() throws Exception {
        if (runtime != null) {
            runtime.shutdown(Duration.ofSeconds(10));
        }
    }
}
