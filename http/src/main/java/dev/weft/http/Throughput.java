package dev.weft.http;

import dev.weft.jobs.JobEvent;
import dev.weft.jobs.JobQuery;
import dev.weft.jobs.JobRecord;
import dev.weft.jobs.JobRuntime;
import dev.weft.jobs.JobState;
import dev.weft.jobs.JobSubscription;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * How many jobs ended per minute over the last hour, by outcome, for the dashboard's chart
 * ({@code GET /api/throughput}). Counts FINISHED events from when the API started, after a first count of the
 * retained jobs that finished within the hour.
 */
final class Throughput implements AutoCloseable {

    /*
     * Implementation notes: a ring of 60 minute buckets indexed by epoch minute mod 60, each stamped with its
     * minute; a bucket whose stamp is not the minute asked for is stale and reads (and is reset) as zero. One
     * lock guards the ring; counting is O(1), reading O(60). The seed reads at most SEED_JOBS retained jobs.
     */

    static final int MINUTES = 60;
    private static final int SEED_JOBS = 10_000;

    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    /** Guarded by lock: per bucket, its epoch minute and counts [succeeded, failed, cancelled]. */
    private final long[] minute = new long[MINUTES];
    private final long[][] counts = new long[MINUTES][3];
    private final JobSubscription subscription;

    Throughput(JobRuntime runtime, Clock clock) {
        this.clock = clock;
        java.util.Arrays.fill(minute, -1);
        this.subscription = runtime.subscribe(event -> {
            if (event.type() == JobEvent.Type.FINISHED) {
                count(event.job());
            }
        });
        seed(runtime);
    }

    private void seed(JobRuntime runtime) {
        Instant hourAgo = clock.instant().minus(Duration.ofMinutes(MINUTES));
        try {
            for (int offset = 0; offset < SEED_JOBS; offset += JobQuery.MAX_LIMIT) {
                var page = runtime.list(JobQuery.all().states(JobState.SUCCEEDED, JobState.FAILED,
                        JobState.CANCELLED, JobState.TIMED_OUT).page(offset, JobQuery.MAX_LIMIT));
                for (JobRecord r : page.jobs()) {
                    if (r.finishedAt() != null && r.finishedAt().isAfter(hourAgo)) {
                        count(r);
                    }
                }
                if (offset + page.jobs().size() >= page.total()) {
                    break;
                }
            }
        } catch (RuntimeException unreadable) {
            // a store that cannot be read now: the chart starts empty
        }
    }

    private void count(JobRecord r) {
        int kind = switch (r.state()) {
            case SUCCEEDED -> 0;
            case FAILED, TIMED_OUT -> 1;
            case CANCELLED -> 2;
            default -> -1;
        };
        if (kind < 0) {
            return;
        }
        Instant at = r.finishedAt() != null ? r.finishedAt() : clock.instant();
        long m = at.getEpochSecond() / 60;
        long now = clock.instant().getEpochSecond() / 60;
        if (m <= now - MINUTES || m > now) {
            return;
        }
        int i = (int) Math.floorMod(m, (long) MINUTES);
        lock.lock();
        try {
            if (minute[i] != m) {
                minute[i] = m;
                counts[i] = new long[3];
            }
            counts[i][kind]++;
        } finally {
            lock.unlock();
        }
    }

    /** The last hour, oldest minute first: each minute's start and its counts. */
    List<Map<String, Object>> lastHour() {
        long now = clock.instant().getEpochSecond() / 60;
        var out = new ArrayList<Map<String, Object>>(MINUTES);
        lock.lock();
        try {
            for (long m = now - MINUTES + 1; m <= now; m++) {
                int i = (int) Math.floorMod(m, (long) MINUTES);
                long[] c = minute[i] == m ? counts[i] : new long[3];
                var row = new LinkedHashMap<String, Object>();
                row.put("minute", Instant.ofEpochSecond(m * 60));
                row.put("succeeded", c[0]);
                row.put("failed", c[1]);
                row.put("cancelled", c[2]);
                out.add(row);
            }
        } finally {
            lock.unlock();
        }
        return out;
    }

    @Override
    public void close() {
        subscription.close();
    }
}
