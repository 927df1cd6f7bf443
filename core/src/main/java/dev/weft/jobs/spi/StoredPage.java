package dev.weft.jobs.spi;

import java.util.List;

/** A page of stored jobs and how many match the query in all. */
public record StoredPage(List<StoredJob> jobs, long total) {
}
