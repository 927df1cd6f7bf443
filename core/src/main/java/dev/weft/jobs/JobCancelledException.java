package dev.weft.jobs;

import dev.weft.scope.CancellationReason;

/**
 * A job ended CANCELLED: by {@link JobRuntime#cancel(String, String)} or {@link JobHandle#cancel(String)}
 * ({@link CancellationReason.Kind#EXPLICIT}), or by shutdown ({@link CancellationReason.Kind#SHUTDOWN}).
 */
public final class JobCancelledException extends JobNotSucceededException {

    JobCancelledException(JobRecord record) {
        super(record, "CANCELLED" + (record.cancellationReason() != null ? ": " + record.cancellationReason() : ""),
                null);
    }

    /** Why it was cancelled: {@code reason().kind()} is EXPLICIT or SHUTDOWN. */
    public CancellationReason reason() {
        return record().cancellationReason();
    }
}
