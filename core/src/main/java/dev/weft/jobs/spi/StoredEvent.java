package dev.weft.jobs.spi;

import dev.weft.jobs.JobEvent;

/**
 * An event as the store wrote it: its id, what happened, and the job's row just after.
 *
 * @param id   the store-assigned event id (0 when no event was written)
 * @param type what happened
 * @param job  the job's row after the change
 */
public record StoredEvent(long id, JobEvent.Type type, StoredJob job) {
}
