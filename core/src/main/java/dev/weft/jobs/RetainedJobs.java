package dev.weft.jobs;

import dev.weft.time.TimeSource;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/** Finished jobs, per terminal state, oldest first; evicts by count and age. */
final class RetainedJobs {

    /*
     * Implementation notes: one FIFO per terminal state, in finishing order, so the oldest is always at the
     * head and eviction is O(evicted). Age eviction runs lazily: on every finish and before every query, which
     * is enough for "finished jobs stay queryable for at most maxAge" as observed through the API, and needs no
     * background thread. Each entry remembers its finishing time on the runtime's monotonic clock.
     */

    private record Entry(Job<?> job, long finishedNanos) {
    }

    private final Retention retention;
    private final TimeSource time;
    private final ReentrantLock lock = new ReentrantLock();
    /** Guarded by lock. */
    private final Map<JobState, ArrayDeque<Entry>> byState = new EnumMap<>(JobState.class);

    RetainedJobs(Retention retention, TimeSource time) {
        this.retention = retention;
        this.time = time;
        for (JobState s : JobState.values()) {
            if (s.isTerminal()) {
                byState.put(s, new ArrayDeque<>());
            }
        }
    }

    /** Keeps a finished job; hands every job evicted now to {@code evict}. */
    void add(Job<?> job, JobState state, Consumer<Job<?>> evict) {
        lock.lock();
        try {
            byState.get(state).addLast(new Entry(job, time.nanoTime()));
            trim(evict);
        } finally {
            lock.unlock();
        }
    }

    /** Forgets {@code job} (the very object) without evicting it: a retry replaced it. O(retained). */
    void remove(Job<?> job) {
        lock.lock();
        try {
            for (ArrayDeque<Entry> q : byState.values()) {
                q.removeIf(e -> e.job() == job);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Evicts what has grown too old. */
    void expire(Consumer<Job<?>> evict) {
        lock.lock();
        try {
            trim(evict);
        } finally {
            lock.unlock();
        }
    }

    /** How many finished jobs are held. */
    int size() {
        lock.lock();
        try {
            int n = 0;
            for (ArrayDeque<Entry> q : byState.values()) {
                n += q.size();
            }
            return n;
        } finally {
            lock.unlock();
        }
    }

    private void trim(Consumer<Job<?>> evict) {
        long now = time.nanoTime();
        for (Map.Entry<JobState, ArrayDeque<Entry>> e : byState.entrySet()) {
            ArrayDeque<Entry> q = e.getValue();
            int maxCount = retention.maxCount(e.getKey());
            long maxAge = saturated(retention.maxAge(e.getKey()));
            while (!q.isEmpty() && (q.size() > maxCount || now - q.peekFirst().finishedNanos() >= maxAge)) {
                evict.accept(q.pollFirst().job());
            }
        }
    }

    private static long saturated(Duration d) {
        return dev.weft.internal.Nanos.of(d);
    }
}
