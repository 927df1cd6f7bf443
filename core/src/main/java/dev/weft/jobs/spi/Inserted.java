package dev.weft.jobs.spi;

/**
 * What {@link JobStore#insert} did.
 *
 * @param created whether the job was inserted (else {@code event.job()} is the active holder of its key, and
 *                {@code event.id()} is 0: no event was written)
 * @param event   the SUBMITTED event of the new job, or the holder
 */
public record Inserted(boolean created, StoredEvent event) {
}
