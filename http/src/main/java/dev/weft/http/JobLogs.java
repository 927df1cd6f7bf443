package dev.weft.http;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The latest log lines of each job, for the dashboard's job detail ({@code GET /api/jobs/{id}/logs}). A logging
 * backend's appender feeds it: Weft ships {@link dev.weft.http.logback.JobLogAppender} for logback, which keeps
 * the events at INFO and above whose MDC carries a {@code jobId} (every thread of a job does).
 *
 * <p>Bounded: at most {@code linesPerJob} lines of each of the {@code jobs} most recently logging jobs; older
 * lines and jobs are forgotten. Thread-safe.
 *
 * <pre>{@code
 * <appender name="WEFT_JOBS" class="dev.weft.http.logback.JobLogAppender"/>
 * <root level="INFO"><appender-ref ref="WEFT_JOBS"/></root>
 * }</pre>
 */
public final class JobLogs {

    /*
     * Implementation notes: one lock over an access-ordered LinkedHashMap from job id to a ring (ArrayDeque) of
     * lines; adding to a full ring drops its oldest line, adding a job beyond the cap drops the job that logged
     * least recently. Appending is O(1) under the lock; reading copies one ring.
     */

    /**
     * One log line.
     *
     * @param time    when it was logged
     * @param level   INFO, WARN or ERROR
     * @param logger  the logger's name
     * @param thread  the logging thread's name
     * @param message the formatted message
     * @param error   the logged exception's class and message, or null
     */
    public record Line(Instant time, String level, String logger, String thread, String message, String error) {
    }

    private static final JobLogs SHARED = new JobLogs(200, 10_000);

    private final int linesPerJob;
    private final int jobs;
    private final ReentrantLock lock = new ReentrantLock();
    /** Guarded by lock; in order of last use, least recent first. */
    private final LinkedHashMap<String, ArrayDeque<Line>> byJob = new LinkedHashMap<>(16, 0.75f, true);

    /**
     * A log of at most {@code linesPerJob} lines for each of at most {@code jobs} jobs.
     *
     * @throws IllegalArgumentException if either is below 1
     */
    public JobLogs(int linesPerJob, int jobs) {
        if (linesPerJob < 1 || jobs < 1) {
            throw new IllegalArgumentException("linesPerJob and jobs must be at least 1, were " + linesPerJob
                    + " and " + jobs);
        }
        this.linesPerJob = linesPerJob;
        this.jobs = jobs;
    }

    /** The log that {@link dev.weft.http.logback.JobLogAppender} feeds and {@link JobApi} reads by default. */
    public static JobLogs shared() {
        return SHARED;
    }

    /** Keeps {@code line} as job {@code jobId}'s newest. */
    public void add(String jobId, Line line) {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(line, "line");
        lock.lock();
        try {
            ArrayDeque<Line> ring = byJob.computeIfAbsent(jobId, k -> new ArrayDeque<>());
            if (ring.size() == linesPerJob) {
                ring.pollFirst();
            }
            ring.addLast(line);
            if (byJob.size() > jobs) {
                var eldest = byJob.entrySet().iterator();
                eldest.next();
                eldest.remove();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Job {@code jobId}'s latest lines, at most {@code max}, oldest first; empty if none are kept. */
    public List<Line> lines(String jobId, int max) {
        lock.lock();
        try {
            ArrayDeque<Line> ring = byJob.get(jobId);
            if (ring == null) {
                return List.of();
            }
            var all = new ArrayList<>(ring);
            return List.copyOf(all.subList(Math.max(0, all.size() - max), all.size()));
        } finally {
            lock.unlock();
        }
    }

    /** Whether any line has been kept since the start (that is, whether an appender feeds this log). */
    public boolean fed() {
        lock.lock();
        try {
            return !byJob.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    /** Forgets job {@code jobId}'s lines. */
    public void forget(String jobId) {
        lock.lock();
        try {
            byJob.remove(jobId);
        } finally {
            lock.unlock();
        }
    }
}
