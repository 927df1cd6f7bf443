package dev.weft.jobs;

import dev.weft.internal.Nanos;
import dev.weft.jobs.spi.StoredJob;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeoutException;

/** A handle on a job in a durable store: reads and waits through the runtime, wherever the job runs. */
final class DurableHandle<T> implements JobHandle<T> {

    private final DurableJobRuntime runtime;
    private final String id;
    private final Class<T> resultType;

    DurableHandle(DurableJobRuntime runtime, String id, Class<T> resultType) {
        this.runtime = runtime;
        this.id = id;
        this.resultType = resultType;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public JobRecord record() {
        return runtime.get(id);
    }

    @Override
    public T await() throws InterruptedException {
        return valueOf(runtime.awaitTerminal(id, Long.MAX_VALUE));
    }

    @Override
    public T await(Duration timeout) throws InterruptedException, TimeoutException {
        Objects.requireNonNull(timeout, "timeout");
        StoredJob row = runtime.awaitTerminal(id, Math.max(0, Nanos.of(timeout)));
        if (!row.state().isTerminal()) {
            throw new TimeoutException("job " + id + " (" + row.name() + ") did not finish within " + timeout
                    + "; it is " + row.state());
        }
        return valueOf(row);
    }

    @Override
    public boolean awaitCompletion(Duration timeout) throws InterruptedException {
        Objects.requireNonNull(timeout, "timeout");
        return runtime.awaitTerminal(id, Math.max(0, Nanos.of(timeout))).state().isTerminal();
    }

    @Override
    public boolean cancel(String why) {
        return runtime.cancel(id, why);
    }

    private T valueOf(StoredJob row) {
        JobRecord record = runtime.record(row);
        return switch (row.state()) {
            case SUCCEEDED -> runtime.decodeResult(row, resultType);
            case CANCELLED -> throw new JobCancelledException(record);
            case TIMED_OUT -> throw new JobTimedOutException(record, null);
            default -> throw new JobFailedException(record, null);
        };
    }

    @Override
    public String toString() {
        return "DurableHandle[" + id + "]";
    }
}
