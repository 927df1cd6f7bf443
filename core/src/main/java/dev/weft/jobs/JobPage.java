package dev.weft.jobs;

import java.util.List;

/**
 * One page of a {@link JobQuery}.
 *
 * @param jobs   the records on this page, newest submission first
 * @param total  how many jobs matched in all
 * @param offset the query's offset
 * @param limit  the query's limit
 */
public record JobPage(List<JobRecord> jobs, int total, int offset, int limit) {

    public JobPage {
        jobs = List.copyOf(jobs);
    }
}
