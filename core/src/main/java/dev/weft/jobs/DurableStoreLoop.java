package dev.weft.jobs;

import dev.weft.internal.RuntimeThreads;
import dev.weft.jobs.spi.AttemptEnd;
import dev.weft.jobs.spi.EndedAndClaimed;
import dev.weft.jobs.spi.Inserted;
import dev.weft.jobs.spi.JobStore;
import dev.weft.jobs.spi.Lease;
import dev.weft.jobs.spi.LeaseReport;
import dev.weft.jobs.spi.NewJob;
import dev.weft.jobs.spi.ProgressUpdate;
import dev.weft.jobs.spi.StoreListener;
import dev.weft.jobs.spi.StoreUnavailableException;
import dev.weft.jobs.spi.StoredEvent;
import dev.weft.jobs.spi.StoredJob;
import dev.weft.progress.ProgressSnapshot;
import dev.weft.scope.CancellationReason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * All traffic between a durable runtime and its store, on one thread: batched submits, batched attempt ends,
 * claims, heartbeats and checks of the other nodes, lease renewal, progress, recovery of dead nodes' jobs and
 * retention.
 */
final class DurableStoreLoop implements StoreListener {

    /*
     * Implementation notes.
     *
     * One thread talks to the store for the hot path, so batching is natural and ordering simple: each pass takes
     * every submit and every ended attempt queued since the last pass, writes the submits in one call (one
     * commit), then the ends together with a claim of as many jobs as there are free slots in another (one
     * commit). Concurrent submitters therefore share commits, and a job costs well under one commit of its own at
     * load. Ended runs linger up to LINGER_NANOS for the rest of their batch (lingerForEnds), since runs end one
     * by one. Submitters wait for their batch's commit, so a submit that returned is durable; a submit that meets
     * an unreachable store fails and nothing of it is accepted.
     *
     * Slots: `runtime.running` holds a claimed run from its claim until its end has been written (or dropped,
     * when its lease was lost). Only this thread adds to it or removes from it, so free = maxRunning - size is
     * exact here. A run whose end cannot be written (the store is unreachable) keeps its slot; the end stays
     * queued and is retried with backoff (100 ms doubling to 5 s), so no terminal state is lost, and the runtime
     * reports DEGRADED meanwhile. No claim is made while ends wait.
     *
     * Wake-ups: `changed` is signalled by a submit, an ended run, a store notice (workAvailable, cancelRequested)
     * and a stop. Without one, the thread wakes for its timers: the heartbeat (H), the check of the other nodes
     * (H/4), lease renewal (a third of the lease), progress writes and stuck checks (the progress interval),
     * recovery of expired leases (the lease), retention (a minute) and a claim poll (the poll interval) while it
     * has free slots.
     *
     * Membership: the node check runs first in a pass, so a node resuming from a pause longer than 2H (SIGSTOP, a
     * long GC) learns that it was declared dead before it claims; its runs are then cancelled with LEASE_LOST.
     * Their writes are fenced by epoch in any case, and a claim names the node, which the store refuses for a
     * node that is not ALIVE.
     */

    private static final Logger LOG = LoggerFactory.getLogger(JobRuntime.class);
    private static final int BATCH = 1000;
    private static final long MIN_BACKOFF = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long MAX_BACKOFF = TimeUnit.SECONDS.toNanos(5);
    /** How long ended runs wait for still running ones to end, to share one commit (0: no lingering). */
    static final long LINGER_NANOS = TimeUnit.MICROSECONDS.toNanos(Long.getLong("weft.durable.lingerMicros", 2_000));

    /** Jobs submitted together: they are written in one transaction, all or none. */
    record PendingSubmit(List<NewJob> jobs, CompletableFuture<List<Inserted>> done) {
    }

    private final DurableJobRuntime runtime;
    private final JobStore store;
    private final String node;
    private final List<String> types;
    private final int maxRunning;
    private final int maxPerGroup;
    private final Duration lease;
    private final Duration deadAfter;
    private final long beatEvery;
    private final long checkEvery;
    private final long renewEvery;
    private final long recoverEvery;
    private final long pollEvery;
    private final long progressEvery;
    private final long purgeEvery = TimeUnit.MINUTES.toNanos(1);
    private final Retention retention;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Guarded by lock. */
    private final ArrayDeque<PendingSubmit> submits = new ArrayDeque<>();
    /** Guarded by lock: runs that ended and wait for their end to be written. */
    private final ArrayDeque<DurableRun> ended = new ArrayDeque<>();
    /** Guarded by lock: jobs whose cancellation some node requested. */
    private final Set<String> cancelHints = new HashSet<>();
    /** Guarded by lock. */
    private boolean workHint = true;
    /** Guarded by lock. */
    private boolean claiming = true;
    /** Guarded by lock: set by stop(); the loop ends once nothing is left to write (or abandon() was called). */
    private boolean stopping;
    /** Guarded by lock. */
    private boolean abandon;

    private volatile String unreachable;
    /** Store thread only: when to claim next without a notice (the poll, or a retry written here coming due). */
    private long nextPoll;
    private Thread thread;

    DurableStoreLoop(DurableJobRuntime runtime, JobStore store, String node, List<String> types, int maxRunning,
                     int maxPerGroup, Duration lease, Duration heartbeat, Duration pollInterval,
                     Duration progressInterval, Retention retention) {
        this.runtime = runtime;
        this.store = store;
        this.node = node;
        this.types = types;
        this.maxRunning = maxRunning;
        this.maxPerGroup = maxPerGroup;
        this.lease = lease;
        this.beatEvery = heartbeat.toNanos();
        this.checkEvery = Math.max(1, beatEvery / 4);
        this.deadAfter = heartbeat.multipliedBy(2);
        this.renewEvery = lease.toNanos() / 3;
        this.recoverEvery = lease.toNanos();
        this.pollEvery = pollInterval.toNanos();
        this.progressEvery = progressInterval.toNanos();
        this.retention = retention;
    }

    void start(String threadName) {
        thread = RuntimeThreads.startVirtual(threadName, this::loop);
    }

    /** After how long without a heartbeat a node is declared dead: twice the heartbeat interval. */
    Duration deadAfter() {
        return deadAfter;
    }

    /** Why the store is unreachable, or null while it is reachable. */
    String unreachable() {
        return unreachable;
    }

    /** Queues jobs for the next batch; the future completes when the batch has committed. */
    CompletableFuture<List<Inserted>> submit(List<NewJob> jobs) {
        var pending = new PendingSubmit(jobs, new CompletableFuture<>());
        String down = unreachable;
        if (down != null) {
            pending.done.completeExceptionally(new StoreUnavailableException("the job store is unreachable ("
                    + down + "); the job was not accepted", null));
            return pending.done;
        }
        lock.lock();
        try {
            submits.add(pending);
            changed.signal();
        } finally {
            lock.unlock();
        }
        return pending.done;
    }

    /** A run ended (its end set, or null to write nothing): write it and free its slot. */
    void runEnded(DurableRun run) {
        lock.lock();
        try {
            ended.add(run);
            changed.signal();
        } finally {
            lock.unlock();
        }
    }

    /** No more claims (shutdown). */
    void stopClaiming() {
        lock.lock();
        try {
            claiming = false;
            changed.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Ends the loop once every queued write is done; with {@code abandonWrites}, at once. Waits for it. */
    void stop(boolean abandonWrites) {
        lock.lock();
        try {
            stopping = true;
            abandon |= abandonWrites;
            changed.signal();
        } finally {
            lock.unlock();
        }
        if (abandonWrites) {
            thread.interrupt(); // out of a wait for a connection to a store that is gone
        }
        RuntimeThreads.joinUninterruptibly(thread);
    }

    // ---- StoreListener: called on the store's thread ----

    @Override
    public void workAvailable() {
        lock.lock();
        try {
            workHint = true;
            changed.signal();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void cancelRequested(String jobId) {
        lock.lock();
        try {
            cancelHints.add(jobId);
            changed.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Cancels the run at once, here on the store's listener thread: no store read, no wait for a pass. */
    @Override
    public void cancelRequested(String jobId, CancellationReason reason) {
        DurableRun run = runtime.running.get(jobId);
        if (run != null && reason != null) {
            run.cancel(reason);
        } else if (run != null) {
            cancelRequested(jobId);
        }
    }

    @Override
    public void eventsAvailable() {
        runtime.eventsAvailable();
    }

    @Override
    public void reachable(boolean up, String detail) {
        if (up) {
            workAvailable();
        } else {
            markUnreachable(detail);
        }
    }

    // ---- the loop ----

    private void loop() {
        long now = System.nanoTime();
        long nextRenew = now + renewEvery, nextRecover = now, nextProgress = now + progressEvery;
        long nextPurge = now, backoff = 0, nextBeat = now + beatEvery, nextCheck = now + checkEvery;
        nextPoll = now;
        while (true) {
            List<PendingSubmit> toInsert = new ArrayList<>();
            List<DurableRun> toWrite = new ArrayList<>();
            List<String> hints;
            boolean claimNow;
            boolean mayClaim;
            lock.lock();
            try {
                while (true) {
                    now = System.nanoTime();
                    if (stopping && (abandon || (submits.isEmpty() && ended.isEmpty()))) {
                        failSubmits(new JobRejectedException("the job runtime is shutting down"));
                        if (!ended.isEmpty()) {
                            LOG.error("job runtime on node {}: the store stayed unreachable; the ends of {} jobs were "
                                    + "not written: they stay RUNNING in the store and are recovered when this node "
                                    + "starts again or their lease expires", node, ended.size());
                        }
                        return;
                    }
                    boolean free = claiming && runtime.running.size() < maxRunning && backoff == 0;
                    boolean due = now - nextRenew >= 0 || now - nextRecover >= 0 || now - nextProgress >= 0
                            || now - nextPurge >= 0 || now - nextBeat >= 0 || now - nextCheck >= 0
                            || (free && now - nextPoll >= 0);
                    if (backoff == 0 && (!submits.isEmpty() || !ended.isEmpty() || !cancelHints.isEmpty()
                            || (free && workHint) || due)) {
                        break;
                    }
                    long wait = backoff != 0 ? backoff : Math.min(Math.min(Math.min(nextRenew, nextRecover),
                            Math.min(nextProgress, nextPurge)), Math.min(nextBeat, nextCheck)) - now;
                    if (free && backoff == 0) {
                        wait = Math.min(wait, nextPoll - now);
                    }
                    try {
                        changed.awaitNanos(Math.max(wait, 1));
                    } catch (InterruptedException e) {
                        // only stop(true) interrupts this thread; the flags say what to do
                    }
                    backoff = 0; // a backoff wait happens once, then the pass retries
                }
                lingerForEnds();
                drainTo(submits, toInsert);
                drainTo(ended, toWrite);
                hints = List.copyOf(cancelHints);
                cancelHints.clear();
                mayClaim = claiming;
                claimNow = claiming && (workHint || now - nextPoll >= 0);
                workHint = false;
            } finally {
                lock.unlock();
            }
            try {
                if (now - nextCheck >= 0) {
                    checkNodes(); // first: a node that was declared dead must not write as if it were alive
                    nextCheck = now + checkEvery;
                }
                if (now - nextBeat >= 0) {
                    if (!store.heartbeat(runtime.nodeId(), runtime.running.size(), 0)) {
                        runtime.declaredDead();
                    }
                    nextBeat = now + beatEvery;
                }
                boolean inserted = insert(toInsert);
                toInsert = List.of();
                if (claimNow) {
                    nextPoll = now + pollEvery;
                }
                endAndClaim(toWrite, mayClaim && (claimNow || inserted || !toWrite.isEmpty()));
                toWrite = List.of();
                cancelHinted(hints);
                hints = List.of();
                if (now - nextRenew >= 0 || now - nextRecover >= 0) {
                    renew(); // before recovering expired leases: this node's own may have expired in an outage
                    nextRenew = now + renewEvery;
                }
                if (now - nextProgress >= 0) {
                    writeProgress();
                    nextProgress = now + progressEvery;
                }
                if (now - nextRecover >= 0) {
                    runtime.publish(store.recover(null));
                    nextRecover = now + recoverEvery;
                }
                if (now - nextPurge >= 0) {
                    purge();
                    nextPurge = now + purgeEvery;
                }
                markReachable();
                backoff = 0;
            } catch (StoreUnavailableException e) {
                markUnreachable(e.getMessage());
                requeue(toWrite, hints);
                failPending(toInsert, e);
                backoff = backoff == 0 ? MIN_BACKOFF : Math.min(backoff * 2, MAX_BACKOFF);
            } catch (RuntimeException | Error e) {
                LOG.error("job runtime on node {}: a store operation failed; retrying", node, e);
                requeue(toWrite, hints);
                failPending(toInsert, e);
                backoff = backoff == 0 ? MIN_BACKOFF : Math.min(backoff * 2, MAX_BACKOFF);
            }
        }
    }

    /**
     * Guarded by lock. Group commit: runs end one by one, so when some have ended and others still run, waits up
     * to LINGER_NANOS for those to end too, so that one commit carries them all (as PostgreSQL's commit_delay
     * does). Not when a submit waits: a submitter's latency is not traded for batching.
     */
    private void lingerForEnds() {
        if (LINGER_NANOS == 0 || ended.isEmpty() || !submits.isEmpty() || stopping) {
            return;
        }
        long until = System.nanoTime() + LINGER_NANOS;
        while (ended.size() < runtime.running.size()) { // running holds the ended runs until they are written
            long left = until - System.nanoTime();
            if (left <= 0) {
                return;
            }
            try {
                changed.awaitNanos(left);
            } catch (InterruptedException e) {
                return; // stop(true): the loop's top sees the flags
            }
        }
    }

    /**
     * Writes the ends of {@code runs} and, with {@code claim}, claims jobs for the free slots (theirs included),
     * in one transaction; frees the runs' slots, publishes the events and starts the claimed runs.
     */
    private void endAndClaim(List<DurableRun> runs, boolean claim) {
        List<AttemptEnd> ends = new ArrayList<>(runs.size());
        for (DurableRun run : runs) {
            if (run.end != null) {
                ends.add(run.end);
            }
        }
        int free = claim && !types.isEmpty() ? maxRunning - (runtime.running.size() - runs.size()) : 0;
        EndedAndClaimed done;
        if (free > 0) {
            done = store.endAndClaim(ends, runtime.nodeId(), types, free, lease, maxPerGroup);
        } else {
            done = new EndedAndClaimed(ends.isEmpty() ? List.of() : store.endAttempts(ends), List.of());
        }
        for (DurableRun run : runs) {
            runtime.running.remove(run.claim.id(), run);
            AttemptEnd end = run.end;
            if (end != null && end.outcome() == AttemptEnd.Outcome.RETRY) { // no notice comes when it is due
                long due = System.nanoTime() + Math.min(dev.weft.internal.Nanos.of(end.retryAfter()), pollEvery);
                if (due - nextPoll < 0) {
                    nextPoll = due;
                }
            }
        }
        runtime.publish(done.ended());
        if (!runs.isEmpty()) {
            runtime.runsWritten(runs, done.ended());
        }
        runtime.publish(done.claimed());
        for (StoredEvent e : done.claimed()) {
            runtime.startRun(e.job());
        }
        if (free > 0 && done.claimed().size() == free) {
            lock.lock();
            try {
                workHint = true; // there may be more
            } finally {
                lock.unlock();
            }
        }
    }

    /** Checks the other nodes: declares the silent ones dead and recovers their jobs; notices this node's own. */
    private void checkNodes() {
        var check = store.checkNodes(runtime.nodeId(), deadAfter);
        if (!check.alive()) {
            runtime.declaredDead();
            return;
        }
        for (var dead : check.declaredDead()) {
            LOG.warn("node {} ({}) was declared dead: its last heartbeat was at {}, more than {} ago", dead.name(),
                    dead.id(), dead.heartbeatAt(), deadAfter);
        }
        if (!check.recovered().isEmpty()) {
            LOG.warn("{} jobs of nodes that left or died were recovered (re-queued, or failed when out of "
                    + "attempts)", check.recovered().size());
        }
        runtime.publish(check.recovered());
    }

    /** Writes the pending submits in one transaction; whether any was written. */
    private boolean insert(List<PendingSubmit> pending) {
        if (pending.isEmpty()) {
            return false;
        }
        List<NewJob> jobs = new ArrayList<>();
        for (PendingSubmit p : pending) {
            jobs.addAll(p.jobs);
        }
        List<Inserted> inserted = store.insertAll(jobs);
        List<StoredEvent> events = new ArrayList<>();
        for (Inserted in : inserted) {
            if (in.created()) {
                events.add(in.event());
            }
        }
        runtime.publish(events);
        int from = 0;
        for (PendingSubmit p : pending) {
            p.done.complete(inserted.subList(from, from + p.jobs.size()));
            from += p.jobs.size();
        }
        return true;
    }

    private void renew() {
        Map<String, DurableRun> running = runtime.running;
        if (running.isEmpty()) {
            return;
        }
        List<Lease> held = new ArrayList<>(running.size());
        for (DurableRun run : running.values()) {
            if (run.end == null) {
                held.add(run.lease);
            }
        }
        LeaseReport report = store.renew(runtime.nodeId(), held, lease);
        for (Lease lost : report.lost()) {
            DurableRun run = running.get(lost.jobId());
            if (run != null && run.lease.equals(lost) && run.cancel(new CancellationReason(
                    CancellationReason.Kind.LEASE_LOST, "node " + node + " lost its claim on job " + lost.jobId()
                    + " (epoch " + lost.epoch() + "): the store gave the job to another claim", null))) {
                LOG.warn("job {}: this node lost its lease (epoch {}); its attempt is cancelled and nothing it "
                        + "writes about the job lands", lost.jobId(), lost.epoch());
            }
        }
        for (Map.Entry<Lease, CancellationReason> e : report.cancelRequested().entrySet()) {
            DurableRun run = running.get(e.getKey().jobId());
            if (run != null && run.lease.equals(e.getKey())) {
                run.cancel(e.getValue());
            }
        }
    }

    private void cancelHinted(List<String> ids) {
        for (String id : ids) {
            DurableRun run = runtime.running.get(id);
            if (run == null || run.cancellationReason().isPresent()) {
                continue;
            }
            store.find(id).ifPresent(row -> {
                if (row.cancelRequested() != null && row.epoch() == run.lease.epoch()) {
                    run.cancel(row.cancelRequested());
                }
            });
        }
    }

    private void writeProgress() {
        List<ProgressUpdate> updates = new ArrayList<>();
        List<DurableRun> written = new ArrayList<>();
        long nowNanos = runtime.time.nanoTime();
        for (DurableRun run : runtime.running.values()) {
            if (run.end != null) {
                continue;
            }
            if (!run.stuckReported && nowNanos - run.stuckAtNanos >= 0) {
                run.stuckReported = true;
                runtime.stuck(run);
            }
            ProgressSnapshot snap = run.progressSnapshot();
            if (snap != null && !sameProgress(run.lastWritten, snap)) {
                updates.add(new ProgressUpdate(run.lease, snap));
                written.add(run);
            }
        }
        if (updates.isEmpty()) {
            return;
        }
        runtime.publish(store.writeProgress(updates));
        for (int i = 0; i < written.size(); i++) {
            written.get(i).lastWritten = updates.get(i).progress();
        }
    }

    private void purge() {
        for (int i = 0; i < 10; i++) { // at most 10 short batches per minute; the next pass goes on
            if (store.purge(retention, BATCH) < BATCH) {
                return;
            }
        }
    }

    static boolean sameProgress(ProgressSnapshot a, ProgressSnapshot b) {
        return a != null && b != null && a.done() == b.done() && a.total() == b.total()
                && a.fraction() == b.fraction() && a.state() == b.state() && Objects.equals(a.step(), b.step())
                && Objects.equals(a.message(), b.message());
    }

    private void markUnreachable(String detail) {
        if (unreachable == null) {
            LOG.warn("job runtime on node {}: the job store is unreachable ({}); running jobs go on, their writes "
                    + "are retried", node, detail);
        }
        unreachable = detail == null ? "unreachable" : detail;
    }

    private void markReachable() {
        if (unreachable != null) {
            LOG.info("job runtime on node {}: the job store is reachable again", node);
            unreachable = null;
        }
    }

    private void requeue(List<DurableRun> runs, List<String> hints) {
        lock.lock();
        try {
            for (int i = runs.size() - 1; i >= 0; i--) {
                ended.addFirst(runs.get(i));
            }
            cancelHints.addAll(hints);
        } finally {
            lock.unlock();
        }
    }

    private static void failPending(List<PendingSubmit> pending, Throwable why) {
        for (PendingSubmit p : pending) {
            p.done.completeExceptionally(why);
        }
    }

    /** Guarded by lock. */
    private void failSubmits(RuntimeException why) {
        for (PendingSubmit p : submits) {
            p.done.completeExceptionally(why);
        }
        submits.clear();
    }

    private static <E> void drainTo(ArrayDeque<E> from, List<E> to) {
        for (int i = 0; i < BATCH && !from.isEmpty(); i++) {
            to.add(from.poll());
        }
    }
}
