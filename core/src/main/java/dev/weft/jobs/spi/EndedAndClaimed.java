package dev.weft.jobs.spi;

import java.util.List;

/**
 * What {@link JobStore#endAndClaim} did.
 *
 * @param ended   an event for each attempt end that applied (fenced)
 * @param claimed a STARTED event per claimed job, in priority then submission order
 */
public record EndedAndClaimed(List<StoredEvent> ended, List<StoredEvent> claimed) {
}
