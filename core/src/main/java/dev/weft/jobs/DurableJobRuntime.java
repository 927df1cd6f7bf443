package dev.weft.jobs;

import dev.weft.scope.Scope;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The job runtime on a durable store. See {@link JobRuntime} for the contract. */
final class DurableJobRuntime implements JobRuntime {

    static JobRuntime start(JobRuntime.Builder b) {
        throw new UnsupportedOperationException("not yet written");
    }

    private DurableJobRuntime() {
    }

    @Override public <T> JobHandle<T> submit(JobSpec<T> spec) { throw new UnsupportedOperationException(); }
    @Override public JobRecord get(String id) { throw new UnsupportedOperationException(); }
    @Override public Optional<JobRecord> find(String id) { throw new UnsupportedOperationException(); }
    @Override public Optional<JobHandle<?>> handle(String id) { throw new UnsupportedOperationException(); }
    @Override public JobPage list(JobQuery query) { throw new UnsupportedOperationException(); }
    @Override public Map<JobState, Long> counts() { throw new UnsupportedOperationException(); }
    @Override public boolean cancel(String id, String why) { throw new UnsupportedOperationException(); }
    @Override public JobSubscription subscribe(JobListener listener) { throw new UnsupportedOperationException(); }
    @Override public List<Scope<?, ?>> scopes() { throw new UnsupportedOperationException(); }
    @Override public ShutdownReport shutdown(Duration grace) { throw new UnsupportedOperationException(); }
    @Override public Health health() { throw new UnsupportedOperationException(); }
    @Override public void close() { throw new UnsupportedOperationException(); }
}
