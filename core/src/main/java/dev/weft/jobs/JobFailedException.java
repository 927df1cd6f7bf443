package dev.weft.jobs;

/** A job awaited through {@link JobHandle#await()} ended other than SUCCEEDED. */
public final class JobFailedException extends RuntimeException {

    private final transient JobRecord record;

    JobFailedException(JobRecord record, Throwable cause) {
        super("job " + record.id() + " (" + record.name() + ") ended " + record.state()
                + (record.cancellationReason() != null ? ": " + record.cancellationReason()
                : record.error() != null ? ": " + record.error().type() + ": " + record.error().message() : ""), cause);
        this.record = record;
    }

    /** The job's final record. */
    public JobRecord record() {
        return record;
    }
}
