package dev.weft.jobs.spi;

import java.util.Map;
import java.util.Set;

import dev.weft.scope.CancellationReason;

/**
 * What {@link JobStore#renew} found.
 *
 * @param lost             the leases that are no longer the jobs' claims (another claim, or the job ended)
 * @param cancelRequested  the renewed jobs whose cancellation was requested, with the reason
 */
public record LeaseReport(Set<Lease> lost, Map<Lease, CancellationReason> cancelRequested) {
}
