package dev.weft.jobs;

import java.time.Duration;
import java.util.List;

/**
 * What {@link JobRuntime#shutdown(Duration)} did.
 *
 * @param finishedInGrace  ids of the jobs that were running and finished on their own within the grace period
 * @param cancelledRunning ids of the jobs still running after the grace period, cancelled with reason SHUTDOWN
 * @param cancelledQueued  ids of the jobs that were queued, cancelled with reason SHUTDOWN before they started
 * @param took             how long shutdown took, on the real clock
 */
public record ShutdownReport(List<String> finishedInGrace, List<String> cancelledRunning,
                             List<String> cancelledQueued, Duration took) {

    public ShutdownReport {
        finishedInGrace = List.copyOf(finishedInGrace);
        cancelledRunning = List.copyOf(cancelledRunning);
        cancelledQueued = List.copyOf(cancelledQueued);
    }
}
