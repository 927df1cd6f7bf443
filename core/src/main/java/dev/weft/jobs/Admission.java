package dev.weft.jobs;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Who may run: de-duplication by key, the queue (priority, then FIFO), the running cap and the per-group cap.
 */
final class Admission {

    /*
     * Implementation notes: one lock guards the queue, the key index, the running counts and the closed flag,
     * so that "is there an active job with this key?", "is there room?", "enqueue" and "start the next ones"
     * happen as one atomic step. That is what makes de-duplication exact under concurrent submits (jcstress:
     * DedupeReturnsOneJobPerKey) and the caps exact under concurrent finishes. A key's holder is returned only to
     * a job that declares the same result type, so the handle a submit returns has the submitter's type. The key
     * index may still map a key to a job that has just become terminal (its state CAS precedes
     * finished()/removeQueued()); admit treats such a job as absent, so a key is free from the moment its job's
     * terminal state is visible, e.g. inside the job's own FINISHED event. The lock is held for O(log n) work plus
     * starting virtual threads and queueing the SUBMITTED event (never a listener call), so that a job's
     * SUBMITTED event is queued before its STARTED event. A queue of jobs blocked by their group cap is scanned in
     * priority order for the first runnable job: O(queued) in the worst case, only while groups are saturated.
     */

    /** Higher priority first (compared, not negated: -Integer.MIN_VALUE overflows), then submission order. */
    private static final Comparator<Job<?>> ORDER = ((Comparator<Job<?>>) (a, b) -> Integer.compare(b.priority, a.priority))
            .thenComparingLong(j -> j.seq);

    private final int maxRunning;
    private final int maxQueued;
    private final int maxRunningPerGroup;
    private final ReentrantLock lock = new ReentrantLock();
    /** Guarded by lock. */
    private final TreeSet<Job<?>> queue = new TreeSet<>(ORDER);
    /** Guarded by lock: the queued or running job of each key. */
    private final Map<String, Job<?>> activeByKey = new HashMap<>();
    /** Guarded by lock. */
    private final Map<String, Integer> runningPerGroup = new HashMap<>();
    /** Guarded by lock. */
    private int running;
    /** Guarded by lock. */
    private String closedBecause;

    Admission(int maxRunning, int maxQueued, int maxRunningPerGroup) {
        this.maxRunning = maxRunning;
        this.maxQueued = maxQueued;
        this.maxRunningPerGroup = maxRunningPerGroup;
    }

    /**
     * Admits {@code job}, or returns the active job with its key. {@code onAdmitted} runs under the lock right
     * after the job is accepted, then {@code starter} for every job that may start now.
     *
     * @return {@code null} if {@code job} was admitted, else the existing active job with the same key
     * @throws JobRejectedException if the runtime is closed, or the queue is full and the job cannot start now
     */
    Job<?> admit(Job<?> job, Consumer<Job<?>> onAdmitted, Consumer<Job<?>> starter) {
        lock.lock();
        try {
            if (closedBecause != null) {
                throw new JobRejectedException("job \"" + job.name + "\" rejected: " + closedBecause);
            }
            if (job.key != null) {
                Job<?> existing = activeByKey.get(job.key);
                if (existing != null && !existing.isTerminal()) {
                    if (existing.resultType != job.resultType) {
                        throw new IllegalArgumentException("job \"" + job.name + "\" with key \"" + job.key
                                + "\" declares result type " + typeName(job.resultType) + ", but the key belongs to job "
                                + existing.id + " (\"" + existing.name + "\", " + existing.state()
                                + ") whose result type is " + typeName(existing.resultType)
                                + "; jobs sharing a key must declare the same result type");
                    }
                    return existing;
                }
                // a terminal job's key is free even before its runner has called finished() (which ends the
                // job, emits FINISHED, then frees its slot); finished() removes the key only if it still maps to it
            }
            if (queue.size() >= maxQueued && !canStart(job)) {
                throw new JobRejectedException("job \"" + job.name + "\" rejected: the queue is full (" + queue.size()
                        + " queued, maxQueued " + maxQueued + "; " + running + " running, maxRunning " + maxRunning
                        + (maxRunningPerGroup != Integer.MAX_VALUE ? ", maxRunningPerGroup " + maxRunningPerGroup : "")
                        + "); retry later or raise the limits");
            }
            if (job.key != null) {
                activeByKey.put(job.key, job); // replaces a terminal holder of the key, if any
            }
            queue.add(job);
            onAdmitted.accept(job);
            dispatch(starter);
            return null;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Admits {@code job}, the next run of a job that ended (JobRuntime.retry), as {@link #admit} admits a new one,
     * except that a key held by another queued or running job refuses it. {@code onAdmitted} runs under the lock
     * before the job is queued, and may refuse it by throwing (then nothing changed).
     *
     * @throws IllegalStateException if another queued or running job holds its key
     * @throws JobRejectedException  if the runtime is closed, or the queue is full and the job cannot start now
     */
    void admitRetry(Job<?> job, Consumer<Job<?>> onAdmitted, Consumer<Job<?>> starter) {
        lock.lock();
        try {
            if (closedBecause != null) {
                throw new JobRejectedException("job \"" + job.name + "\" (" + job.id + ") not retried: " + closedBecause);
            }
            if (job.key != null) {
                Job<?> holder = activeByKey.get(job.key);
                if (holder != null && !holder.isTerminal() && !holder.id.equals(job.id)) {
                    throw new IllegalStateException("job " + job.id + " (\"" + job.name + "\") cannot be retried: its"
                            + " key \"" + job.key + "\" is held by job " + holder.id + " (\"" + holder.name + "\", "
                            + holder.state() + "); a key belongs to one queued or running job at a time, so retry"
                            + " it once that job has ended");
                }
            }
            if (queue.size() >= maxQueued && !canStart(job)) {
                throw new JobRejectedException("job \"" + job.name + "\" (" + job.id + ") not retried: the queue is"
                        + " full (" + queue.size() + " queued, maxQueued " + maxQueued + "; " + running
                        + " running, maxRunning " + maxRunning + "); retry later or raise the limits");
            }
            onAdmitted.accept(job);
            if (job.key != null) {
                activeByKey.put(job.key, job);
            }
            queue.add(job);
            dispatch(starter);
        } finally {
            lock.unlock();
        }
    }

    /** A queued job was cancelled: forget it. */
    void removeQueued(Job<?> job) {
        lock.lock();
        try {
            queue.remove(job);
            if (job.key != null) {
                activeByKey.remove(job.key, job);
            }
        } finally {
            lock.unlock();
        }
    }

    /** A running job ended: free its slot and key, and start what may start. */
    void finished(Job<?> job, Consumer<Job<?>> starter) {
        lock.lock();
        try {
            releaseSlot(job);
            if (closedBecause == null) {
                dispatch(starter);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * A job that dispatch had started could not run (its thread did not start): free its slot and key without
     * dispatching. Called by the starter, under the lock, from within dispatch, which then goes on.
     */
    void releaseSlot(Job<?> job) {
        lock.lock(); // reentrant: finished() calls this under the lock too
        try {
            running--;
            if (job.group != null) {
                runningPerGroup.merge(job.group, -1, (a, b) -> a + b == 0 ? null : a + b);
            }
            if (job.key != null) {
                activeByKey.remove(job.key, job);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Stops admitting; returns the queued jobs, removed from the queue. */
    List<Job<?>> close(String because) {
        lock.lock();
        try {
            closedBecause = because;
            List<Job<?>> drained = new ArrayList<>(queue);
            queue.clear();
            for (Job<?> j : drained) {
                if (j.key != null) {
                    activeByKey.remove(j.key, j);
                }
            }
            return drained;
        } finally {
            lock.unlock();
        }
    }

    int queued() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    private static String typeName(Class<?> type) {
        return type == null ? "(none)" : type.getName();
    }

    private boolean canStart(Job<?> job) {
        return running < maxRunning
                && (job.group == null || runningPerGroup.getOrDefault(job.group, 0) < maxRunningPerGroup);
    }

    /** Guarded by lock: starts queued jobs in priority order while there is room. */
    private void dispatch(Consumer<Job<?>> starter) {
        Iterator<Job<?>> it = queue.iterator();
        while (running < maxRunning && it.hasNext()) {
            Job<?> next = it.next();
            if (!canStart(next)) {
                continue; // its group is full; a lower-priority job of another group may run
            }
            it.remove();
            if (!next.start()) {
                if (next.key != null) {
                    activeByKey.remove(next.key, next); // cancelled while queued: its key is free
                }
                continue;
            }
            running++;
            if (next.group != null) {
                runningPerGroup.merge(next.group, 1, Integer::sum);
            }
            starter.accept(next);
        }
    }
}
