package dev.weft.jobs.spi;

/**
 * What {@link JobStore#cancel} did.
 *
 * @param result what happened
 * @param event  the FINISHED event of a queued job it cancelled, else null
 * @param node   for REQUESTED: the node running the job
 */
public record CancelOutcome(Result result, StoredEvent event, String node) {

    public enum Result {
        /** The job was queued and is now CANCELLED. */
        CANCELLED,
        /** The job is running; its cancellation is recorded for its node. */
        REQUESTED,
        /** The job had ended, or its cancellation was already requested. */
        TOO_LATE,
        /** The store has no such job. */
        NOT_FOUND
    }
}
