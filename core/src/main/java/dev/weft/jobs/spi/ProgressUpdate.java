package dev.weft.jobs.spi;

import dev.weft.progress.ProgressSnapshot;

/** A running job's progress, to be written fenced by its lease. */
public record ProgressUpdate(Lease lease, ProgressSnapshot progress) {
}
