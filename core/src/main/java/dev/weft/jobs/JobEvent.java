package dev.weft.jobs;

/**
 * A change in a job, delivered to {@link JobListener}s: the feed behind HTTP polling and server-sent events.
 *
 * @param sequence a number unique and increasing across all events of the runtime, in delivery order per job
 * @param type     what happened
 * @param job      the job's record just after the change
 */
public record JobEvent(long sequence, Type type, JobRecord job) {

    /** What happened to the job. */
    public enum Type {
        /** Accepted (QUEUED): submitted, or re-queued by {@link JobRuntime#retry(String)} after its FINISHED. */
        SUBMITTED,
        /** An attempt started (RUNNING). */
        STARTED,
        /** Its progress changed (sampled at most once per the runtime's progress interval). */
        PROGRESS,
        /** It ran past its expected duration. */
        STUCK,
        /** It reached its terminal state; the last event of the job's run (a retry starts the next run). */
        FINISHED
    }

    /** Whether this is the last event of the job's run: its end, unless it is retried. */
    public boolean isTerminal() {
        return type == Type.FINISHED;
    }
}
