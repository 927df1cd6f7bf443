package dev.weft.jobs.spi;

/**
 * A node's claim on a running job: the job and the epoch of the claim. Writes that name it apply only while it
 * is the job's current claim.
 */
public record Lease(String jobId, long epoch) {
}
