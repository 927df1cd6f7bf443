package dev.weft.jobs;

import java.util.NoSuchElementException;

/** No job has the given id: it never existed, or retention has evicted it. */
public final class NoSuchJobException extends NoSuchElementException {

    private final String jobId;

    NoSuchJobException(String jobId) {
        super("no job with id \"" + jobId + "\": it never existed, or retention evicted it after it finished");
        this.jobId = jobId;
    }

    /** The id asked for. */
    public String jobId() {
        return jobId;
    }
}
