package dev.weft.bench.durable;

import dev.weft.jobs.JobRuntime;
import dev.weft.jobs.JobState;
import dev.weft.jobs.JobType;
import dev.weft.postgres.PostgresJobStore;

import javax.sql.DataSource;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Weft's job runtime on its PostgreSQL store, through the public API:
 * {@code JobRuntime.builder().store(PostgresJobStore.builder(dataSource).build()).register(type).maxRunning(n)},
 * typed jobs submitted in bulk with {@code runtime.submitAll(type, payloads)} and one at a time with
 * {@code runtime.submit(type, payload)}. A tree whose runtime does not support a store yet is skipped with the
 * reason.
 */
final class WeftContender implements Contender {

    /** The job's payload: its index. */
    public record Payload(int index) {
    }

    private final JobType<Payload, Void> type = JobType.of("noop", Payload.class, Void.class, (ctx, p) -> {
        Recorder.ran(p.index());
        return null;
    });
    private JobRuntime runtime;
    private int maxRunning;
    private String nodeName;

    @Override
    public String name() {
        return "weft";
    }

    @Override
    public List<String> settings() {
        return List.of("Weft's durable runtime (this build), " + (nodeName == null ? "one node"
                        : "one JobRuntime per node, nodeName(node name)") + ", "
                        + "PostgresJobStore.builder(dataSource).build() (its defaults), other runtime settings default",
                "maxRunning(" + maxRunning + ")",
                "bulk submit: runtime.submitAll(type, payloads), one call for all the jobs of a run (one transaction)",
                "latency: runtime.submit(type, payload); unfinished = QUEUED + RUNNING (runtime.counts(), or "
                        + "the same count in weft_jobs from a process that is not a node)");
    }

    @Override
    public void start(DataSource ds, Options o, String nodeName) throws Exception {
        maxRunning = o.weftMaxRunning();
        this.nodeName = nodeName;
        try {
            JobRuntime.Builder b = JobRuntime.builder().store(PostgresJobStore.builder(ds).build()).register(type)
                    .maxRunning(maxRunning);
            if (nodeName != null) {
                b.nodeName(nodeName);
            }
            runtime = b.build();
        } catch (UnsupportedOperationException e) {
            throw new Unavailable("JobRuntime.build() with a store is not supported yet: " + e.getMessage(), e);
        }
    }

    @Override
    public void submitMany(int from, int to) {
        runtime.submitAll(type, IntStream.range(from, to).mapToObj(Payload::new).toList());
    }

    @Override
    public void submitOne(int index) {
        runtime.submit(type, new Payload(index));
    }

    @Override
    public String unfinishedQuery() {
        return "select count(*) from weft_jobs where state in ('QUEUED', 'RUNNING')";
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
