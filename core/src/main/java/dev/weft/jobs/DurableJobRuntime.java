package dev.weft.jobs;

import dev.weft.internal.Nanos;
import dev.weft.internal.RuntimeThreads;
import dev.weft.internal.WeftVersion;
import dev.weft.jobs.spi.CancelOutcome;
import dev.weft.jobs.spi.Inserted;
import dev.weft.jobs.spi.JobStore;
import dev.weft.jobs.spi.NewJob;
import dev.weft.jobs.spi.RetryOutcome;
import dev.weft.jobs.spi.StoredEvent;
import dev.weft.jobs.spi.StoredJob;
import dev.weft.jobs.spi.StoredPage;
import dev.weft.progress.ProgressSnapshot;
import dev.weft.scope.CancellationReason;
import dev.weft.scope.Scope;
import dev.weft.time.TimeSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/** The job runtime on a durable store. See {@link JobRuntime} for the contract. */
final class DurableJobRuntime implements JobRuntime {

    /*
     * Implementation notes.
     *
     * The store is the only record of a job: submit writes it (through the store loop's batches, waiting for the
     * commit), queries read it, and nothing about a job is kept in memory except the runs claimed by this node
     * (`running`, from claim until their end is written). So a restart, or another node, carries on from the
     * store, and memory is bounded by maxRunning whatever the number of jobs.
     *
     * Delivery is at least once: a job whose node dies mid-attempt is recovered (re-queued or failed) from the
     * store, at this node's next start (by node name) or when its lease expires (any node); its handler may then
     * run again. Within the store's account a job runs on one claim at a time: every write about a run is fenced
     * by the claim's epoch.
     *
     * Events: every JobEvent is built from a row the store returned with the event's store-assigned id, and
     * offered to the subscriptions by the store loop's thread (or by the thread of a cancel that ended a queued
     * job), so a job's events reach listeners in the order the store wrote them.
     *
     * Awaiting: a waiter registers a latch for the job, reads the job, and sleeps on the latch; the latch is
     * released when this node writes the job's end, and the waiter re-reads the store at least every 250 ms, for
     * jobs that end on another node. A read that meets an unreachable store is retried every 100 ms until the
     * wait's deadline: a restarted database does not fail a waiter whose job goes on.
     */

    private static final Logger LOG = LoggerFactory.getLogger(JobRuntime.class);
    private static final long AWAIT_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    private static final long AWAIT_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    final TimeSource time;
    private final String name;
    private final String node;
    private final JobStore store;
    private final JobCodec codec;
    private final JobTypes types;
    private final JobIds ids = new JobIds();
    /** This node's id in the store; a new one when the node registers again after it was declared dead. */
    private volatile String nodeId = ids.next();
    private final Duration defaultExpectedDuration;
    private final Duration shutdownGrace;
    /** This node's claimed runs, from claim until their end is written; changed by the store loop only. */
    final Map<String, DurableRun> running = new ConcurrentHashMap<>();
    private final Map<String, CountDownLatch> finishWaiters = new ConcurrentHashMap<>();
    private final DurableStoreLoop loop;
    private final Subscriptions subscriptions;
    private final EventTail tail;
    /** The highest event id this node wrote (its events that subscribers must get before shutdown ends). */
    private final java.util.concurrent.atomic.AtomicLong lastWrittenEvent = new java.util.concurrent.atomic.AtomicLong();
    private final AtomicBoolean shutdownStarted = new AtomicBoolean();
    private final CountDownLatch shutdownDone = new CountDownLatch(1);
    private volatile boolean closed;
    private final ReentrantLock endLock = new ReentrantLock();
    private final Condition runsChanged = endLock.newCondition();

    static JobRuntime start(JobRuntime.Builder b) {
        var runtime = new DurableJobRuntime(b);
        runtime.open();
        return runtime;
    }

    private DurableJobRuntime(JobRuntime.Builder b) {
        this.time = b.timeSource;
        this.name = b.name;
        this.node = b.nodeName != null ? b.nodeName : defaultNodeName(b.name);
        this.store = b.store;
        this.codec = Objects.requireNonNull(store.codec(), "the store's codec");
        this.types = new JobTypes(b.types.values());
        this.defaultExpectedDuration = b.defaultExpectedDuration;
        this.shutdownGrace = b.shutdownGrace;
        this.subscriptions = new Subscriptions(b.name, b.listenerBacklog);
        this.tail = new EventTail(store, subscriptions, this::record);
        this.loop = new DurableStoreLoop(this, store, node, types.names(), b.maxRunning, b.maxRunningPerGroup,
                b.lease, b.heartbeat, b.pollInterval, b.progressInterval, b.retention);
    }

    private void open() {
        store.open(loop);
        try {
            store.register(nodeId, node, WeftVersion.get());
            var check = store.checkNodes(nodeId, loop.deadAfter()); // an earlier run of this node: its jobs now
            if (!check.recovered().isEmpty()) {
                LOG.warn("job runtime {} (node {}): {} jobs left RUNNING by stopped nodes were recovered "
                        + "(re-queued, or failed when out of attempts)", name, node, check.recovered().size());
            }
            publish(check.recovered());
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        loop.start(name + "/store");
        tail.start(name + "/events");
        LOG.info("job runtime {} started as node {} ({}) with a durable store; job types {}", name, node, nodeId,
                types.names());
    }

    /** This node's id in the store. */
    String nodeId() {
        return nodeId;
    }

    /**
     * The store declared this node dead (it missed its heartbeats: paused, or cut off): its claims are gone, so
     * its runs are cancelled with LEASE_LOST and write nothing; it registers again under a new id to take work.
     * Store loop thread only.
     */
    void declaredDead() {
        String old = nodeId;
        int cancelled = 0;
        for (DurableRun run : running.values()) {
            if (run.cancel(new CancellationReason(CancellationReason.Kind.LEASE_LOST, "node " + node + " (" + old
                    + ") was declared dead by the other nodes after missing its heartbeats; job "
                    + run.claim.id() + " was taken back (epoch " + run.lease.epoch() + ")", null))) {
                cancelled++;
            }
        }
        String fresh = ids.next();
        store.register(fresh, node, WeftVersion.get());
        nodeId = fresh;
        LOG.error("job runtime {}: node {} ({}) was declared dead by the other nodes (it missed its heartbeats: "
                + "paused or cut off from the database); its {} running jobs were taken back and are cancelled with "
                + "LEASE_LOST, writing nothing; it registered again as {}", name, node, old, cancelled, fresh);
    }

    /** Events of other nodes were written: the tail reads them. */
    void eventsAvailable() {
        tail.eventsAvailable();
    }

    private static String defaultNodeName(String runtimeName) {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "localhost";
        }
        return host + "/" + ProcessHandle.current().pid() + "/" + runtimeName;
    }

    // ---- submit ----

    @Override
    public <T> JobHandle<T> submit(JobSpec<T> spec) {
        return submitAll(List.of(spec)).get(0);
    }

    @Override
    public <T> List<JobHandle<T>> submitAll(java.util.Collection<JobSpec<T>> specs) {
        Objects.requireNonNull(specs, "specs");
        List<JobSpec<T>> list = List.copyOf(specs);
        List<NewJob> jobs = new ArrayList<>(list.size());
        for (JobSpec<T> spec : list) {
            jobs.add(newJob(Objects.requireNonNull(spec, "job spec must not be null")));
        }
        if (jobs.isEmpty()) {
            return List.of();
        }
        List<Inserted> inserted = awaitInsert(loop.submit(jobs), list.get(0).name());
        List<JobHandle<T>> handles = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            JobSpec<T> spec = list.get(i);
            StoredJob row = inserted.get(i).event().job();
            if (!inserted.get(i).created() && !row.type().equals(spec.type().name())) {
                throw new IllegalArgumentException("job \"" + spec.name() + "\" with key \"" + spec.key()
                        + "\" is of type " + spec.type().name() + ", but the key belongs to job " + row.id() + " (\""
                        + row.name() + "\", " + row.state() + ") of type " + row.type()
                        + "; jobs sharing a key must be of the same type");
            }
            handles.add(new DurableHandle<>(this, row.id(), spec.type().resultType()));
        }
        return handles;
    }

    /** Checks {@code spec} and writes it down as a row to insert; throws what submit documents. */
    private <T> NewJob newJob(JobSpec<T> spec) {
        if (closed) {
            throw new JobRejectedException("job \"" + spec.name() + "\" rejected: the job runtime " + name
                    + " is shutting down");
        }
        if (spec.type() == null) {
            throw new IllegalArgumentException("job \"" + spec.name() + "\" is a closure (JobSpec.Builder.body), "
                    + "which a durable store cannot keep; declare a JobType (JobType.of(name, PayloadClass, "
                    + "ResultClass, handler)), register it with JobRuntime.builder().register(type) on every "
                    + "runtime that may run it, and submit JobSpec.named(...).run(type, payload) or "
                    + "runtime.submit(type, payload)");
        }
        if (spec.retry() != null) {
            throw new IllegalArgumentException("job \"" + spec.name() + "\" sets its own retry policy; on a durable "
                    + "store the policy belongs to the job type (JobType.withRetry), so that every node retries "
                    + "alike");
        }
        JobType<?, T> type = types.require(spec.type());
        String payload;
        try {
            payload = codec.encode(spec.payload());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("the payload of job \"" + spec.name() + "\" (type " + type.name()
                    + ") cannot be stored: " + e.getMessage(), e);
        }
        int bytes = payload == null ? 0 : payload.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > store.maxPayloadBytes()) {
            throw new IllegalArgumentException("the payload of job \"" + spec.name() + "\" (type " + type.name()
                    + ") is " + bytes + " bytes encoded; the store accepts at most " + store.maxPayloadBytes()
                    + " bytes. Store large data elsewhere and pass a reference to it");
        }
        int maxAttempts = type.retry() == null ? 1 : type.retry().maxAttempts();
        return new NewJob(ids.next(), type.name(), spec.name(), spec.key(), spec.group(), spec.priority(),
                payload, maxAttempts, spec.timeout(), spec.expectedDuration());
    }

    private static List<Inserted> awaitInsert(java.util.concurrent.CompletableFuture<List<Inserted>> f,
                                              String jobName) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return f.get();
                } catch (InterruptedException e) {
                    interrupted = true; // the submit is in a batch already: wait for its outcome
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof RuntimeException re) {
                        throw re;
                    }
                    throw new IllegalStateException("job \"" + jobName + "\" could not be submitted", cause);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ---- runs (store loop thread) ----

    void startRun(StoredJob claim) {
        JobType<?, ?> type = types.get(claim.type());
        var run = new DurableRun(claim, type, codec, time, defaultExpectedDuration, loop::runEnded);
        running.put(claim.id(), run);
        try {
            RuntimeThreads.startVirtual(name + "/" + claim.name() + "#" + claim.id(), run);
        } catch (Throwable noThread) {
            LOG.error("job {} ({}): its thread could not start", claim.id(), claim.name(), noThread);
            run.end = new dev.weft.jobs.spi.AttemptEnd(run.lease, dev.weft.jobs.spi.AttemptEnd.Outcome.FAILED,
                    null, JobError.of(noThread), null, null, null);
            loop.runEnded(run);
        }
    }

    /** The store loop wrote (or dropped) these runs' ends; {@code events} are what the store wrote. */
    void runsWritten(List<DurableRun> runs, List<StoredEvent> events) {
        for (DurableRun run : runs) {
            if (run.end == null) {
                LOG.info("job {} ({}): this node's attempt ended after its lease was lost; nothing was written",
                        run.claim.id(), run.claim.name());
            }
        }
        endLock.lock();
        try {
            runsChanged.signalAll();
        } finally {
            endLock.unlock();
        }
    }

    void stuck(DurableRun run) {
        String threads = "on node " + node + ":" + JobRuntimeImpl.stacks(run.thread, run.scope);
        store.markStuck(run.lease, threads).ifPresent(e -> publish(List.of(e)));
        LOG.warn("job {} ({}) is stuck: still running after its expected duration; its threads {}", run.claim.id(),
                run.claim.name(), threads);
    }

    /**
     * Events this node wrote: releases waiters of jobs that ended. Subscribers get them (with every other
     * node's) from the event log, through the tail.
     */
    void publish(List<StoredEvent> events) {
        for (StoredEvent e : events) {
            if (e.id() > 0) {
                lastWrittenEvent.accumulateAndGet(e.id(), Math::max);
            }
            if (e.type() == JobEvent.Type.FINISHED) {
                logEnd(e.job());
                CountDownLatch waiter = finishWaiters.remove(e.job().id());
                if (waiter != null) {
                    waiter.countDown();
                }
            }
        }
        if (!events.isEmpty()) {
            tail.known(lastWrittenEvent.get());
        }
    }

    private static void logEnd(StoredJob row) {
        if (row.state() == JobState.FAILED) {
            JobError e = row.error();
            LOG.warn("job {} ({}) FAILED, attempt {}: {}", row.id(), row.name(), row.attempt(), e == null ? ""
                    : e.stackTrace() != null ? e.stackTrace() : e.type() + ": " + e.message());
        } else {
            LOG.info("job {} ({}) {}", row.id(), row.name(), row.state());
        }
    }

    // ---- records and results ----

    JobRecord record(StoredJob row) {
        ProgressSnapshot progress = row.progress();
        DurableRun run = row.state() == JobState.RUNNING ? running.get(row.id()) : null;
        if (run != null && run.lease.epoch() == row.epoch()) {
            ProgressSnapshot live = run.progressSnapshot();
            if (live != null) {
                progress = live;
            }
        }
        String result = row.state() == JobState.SUCCEEDED ? summary(row.result()) : null;
        return new JobRecord(row.id(), row.name(), row.key(), row.group(), row.priority(), row.state(),
                row.submittedAt(), row.startedAt(), row.finishedAt(), row.attempt(), row.maxAttempts(), result,
                row.state() == JobState.SUCCEEDED ? null : row.error(), row.reason(), progress, row.stuck(),
                row.expectedDuration(), row.stuck() ? row.stuckThreads() : null,
                row.type(), row.earlierRuns(), row.state() == JobState.RUNNING ? row.node() : null);
    }

    private static String summary(String s) {
        return s == null || s.length() <= 1000 ? s : s.substring(0, 1000) + "...";
    }

    <T> T decodeResult(StoredJob row, Class<T> type) {
        return codec.decode(row.result(), type);
    }

    /** Waits until job {@code id} is terminal or {@code nanos} passed; returns its row then. */
    StoredJob awaitTerminal(String id, long nanos) throws InterruptedException {
        long deadline = System.nanoTime() + Math.min(nanos, Nanos.MAX_SPAN);
        while (true) {
            CountDownLatch latch = finishWaiters.computeIfAbsent(id, k -> new CountDownLatch(1));
            StoredJob row;
            try {
                row = store.find(id).orElseThrow(() -> new NoSuchJobException(id));
            } catch (dev.weft.jobs.spi.StoreUnavailableException e) {
                if (deadline - System.nanoTime() <= 0) {
                    finishWaiters.remove(id, latch);
                    throw e; // the wait is over and the store still cannot say
                }
                latch.await(Math.min(deadline - System.nanoTime(), AWAIT_RETRY_NANOS), TimeUnit.NANOSECONDS);
                continue; // a lost connection (a restarted database): the job goes on; ask again
            }
            long left = deadline - System.nanoTime();
            if (row.state().isTerminal() || left <= 0) {
                finishWaiters.remove(id, latch); // a job that ended elsewhere leaves no latch behind
                return row;
            }
            latch.await(Math.min(left, AWAIT_POLL_NANOS), TimeUnit.NANOSECONDS);
        }
    }

    // ---- queries ----

    @Override
    public JobRecord get(String id) {
        return find(id).orElseThrow(() -> new NoSuchJobException(id));
    }

    @Override
    public Optional<JobRecord> find(String id) {
        Objects.requireNonNull(id, "job id must not be null");
        return store.find(id).map(this::record);
    }

    @Override
    public Optional<JobHandle<?>> handle(String id) {
        Objects.requireNonNull(id, "job id must not be null");
        return store.find(id).map(row -> {
            JobType<?, ?> type = types.get(row.type());
            Class<?> resultType = type == null ? Object.class : type.resultType();
            return (JobHandle<?>) new DurableHandle<>(this, row.id(), resultType);
        });
    }

    @Override
    public JobPage list(JobQuery query) {
        Objects.requireNonNull(query, "query");
        StoredPage page = store.list(query);
        List<JobRecord> records = new ArrayList<>(page.jobs().size());
        for (StoredJob row : page.jobs()) {
            records.add(record(row));
        }
        return new JobPage(records, (int) Math.min(Integer.MAX_VALUE, page.total()), query.offset(), query.limit());
    }

    @Override
    public JobHandle<?> retry(String id) {
        Objects.requireNonNull(id, "job id must not be null");
        StoredJob row = store.find(id).orElseThrow(() -> new NoSuchJobException(id));
        if (closed) {
            throw new JobRejectedException("job \"" + row.name() + "\" (" + id + ") not retried: the job runtime "
                    + name + " is shutting down");
        }
        // the type's current policy on this node; a type this node does not know keeps the row's last run's
        JobType<?, ?> type = types.get(row.type());
        int perRun = type != null ? (type.retry() == null ? 1 : type.retry().maxAttempts())
                : Math.max(1, row.maxAttempts() - row.attemptsBefore());
        RetryOutcome outcome = store.retry(id, perRun);
        return switch (outcome.result()) {
            case RETRIED -> {
                publish(List.of(outcome.event()));
                StoredJob queued = outcome.event().job();
                LOG.info("job {} ({}) retried: attempt {} of {} is queued", id, queued.name(), queued.attempt() + 1,
                        queued.maxAttempts());
                Class<?> resultType = type == null ? Object.class : type.resultType();
                yield (JobHandle<?>) new DurableHandle<>(this, id, resultType);
            }
            case NOT_RETRYABLE -> throw new IllegalStateException("job " + id + " is " + outcome.state()
                    + "; only a FAILED, CANCELLED or TIMED_OUT job can be retried");
            case KEY_HELD -> throw new IllegalStateException("job " + id + " (\"" + row.name() + "\") cannot be"
                    + " retried: its key \"" + row.key() + "\" is held by job " + outcome.holder() + " (queued or"
                    + " running); a key belongs to one queued or running job at a time, so retry it once that job"
                    + " has ended");
            case NOT_FOUND -> throw new NoSuchJobException(id);
        };
    }

    @Override
    public boolean delete(String id) {
        Objects.requireNonNull(id, "job id must not be null");
        JobState state = store.deleteFinished(id).orElseThrow(() -> new NoSuchJobException(id));
        if (!state.isTerminal()) {
            throw new IllegalStateException("job " + id + " is " + state + "; only a finished job can be deleted "
                    + "(cancel it first)");
        }
        return true;
    }

    @Override
    public Map<JobState, Long> counts() {
        return store.counts();
    }

    @Override
    public List<Scope<?, ?>> scopes() {
        List<Scope<?, ?>> scopes = new ArrayList<>();
        for (DurableRun run : running.values()) {
            Scope<?, ?> s = run.scope;
            if (s != null) {
                scopes.add(s);
            }
        }
        return scopes;
    }

    @Override
    public Optional<List<JobEvent>> eventsAfter(long sequence, int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be at least 1, was " + max);
        }
        List<StoredEvent> from = store.eventsAfter(sequence - 1, max + 1);
        if (from.isEmpty() || from.get(0).id() != sequence) {
            return Optional.empty(); // event `sequence` is not kept (any more): resuming after it is not exact
        }
        List<JobEvent> events = new ArrayList<>(from.size() - 1);
        for (StoredEvent e : from.subList(1, from.size())) {
            events.add(new JobEvent(e.id(), e.type(), record(e.job())));
        }
        return Optional.of(events);
    }

    @Override
    public Health health() {
        String down = loop.unreachable();
        return down == null ? new Health(Health.Status.UP, "")
                : new Health(Health.Status.DEGRADED, "the job store is unreachable: " + down);
    }

    @Override
    public List<NodeInfo> nodes() {
        String self = nodeId;
        List<NodeInfo> nodes = new ArrayList<>(store.nodes());
        nodes.sort(java.util.Comparator.comparing((NodeInfo n) -> !n.id().equals(self))
                .thenComparing(NodeInfo::startedAt).thenComparing(NodeInfo::id));
        return nodes;
    }

    // ---- cancel ----

    @Override
    public boolean cancel(String id, String why) {
        Objects.requireNonNull(id, "job id must not be null");
        Objects.requireNonNull(why, "why");
        CancellationReason reason = CancellationReason.explicit(why + " (cancelled through node " + node + ")");
        CancelOutcome outcome = store.cancel(id, reason);
        return switch (outcome.result()) {
            case CANCELLED -> {
                publish(List.of(outcome.event()));
                yield true;
            }
            case REQUESTED -> {
                DurableRun run = running.get(id);
                if (run != null) {
                    run.cancel(reason);
                }
                LOG.info("job {} cancellation requested: {}", id, reason);
                yield true;
            }
            case TOO_LATE -> false;
            case NOT_FOUND -> throw new NoSuchJobException(id);
        };
    }

    // ---- events ----

    @Override
    public JobSubscription subscribe(JobListener listener) {
        return tail.subscribe(Objects.requireNonNull(listener, "listener"));
    }

    // ---- shutdown ----

    @Override
    public ShutdownReport shutdown(Duration grace) throws InterruptedException {
        Objects.requireNonNull(grace, "grace");
        if (grace.isNegative()) {
            throw new IllegalArgumentException("shutdown grace must be zero or positive, was " + grace);
        }
        if (!shutdownStarted.compareAndSet(false, true)) {
            if (JobRuntimeImpl.awaitUninterruptibly(shutdownDone)) {
                Thread.currentThread().interrupt();
            }
            return new ShutdownReport(List.of(), List.of(), List.of(), Duration.ZERO);
        }
        long start = System.nanoTime();
        List<String> finishedInGrace = new ArrayList<>();
        List<String> cancelledRunning = new ArrayList<>();
        boolean interrupted = false;
        try {
            closed = true;
            loop.stopClaiming();
            List<DurableRun> atStart = new ArrayList<>(running.values());
            LOG.info("job runtime {} (node {}) shutting down: {} running, grace {}; queued jobs stay in the store",
                    name, node, atStart.size(), grace);
            try {
                awaitRuns(start + Nanos.of(grace));
            } catch (InterruptedException e) {
                interrupted = true;
            }
            CancellationReason shutdown = CancellationReason.shutdown("job runtime " + name + " (node " + node
                    + ") is shutting down");
            for (DurableRun run : new ArrayList<>(running.values())) {
                if (run.cancel(shutdown)) {
                    cancelledRunning.add(run.claim.id());
                }
            }
            for (DurableRun run : atStart) {
                if (!cancelledRunning.contains(run.claim.id())) {
                    finishedInGrace.add(run.claim.id());
                }
            }
            // the cancelled runs end promptly; their ends are written unless the store stays unreachable
            long writeDeadline = System.nanoTime() + Math.max(Nanos.of(grace), TimeUnit.SECONDS.toNanos(10));
            while (true) {
                try {
                    awaitRuns(writeDeadline);
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            for (DurableRun run : new ArrayList<>(running.values())) {
                Thread t = run.thread;
                if (t != null) {
                    RuntimeThreads.joinUninterruptibly(t);
                }
            }
            boolean abandoned = !running.isEmpty();
            // an unreachable store would hold the loop's pass and each call below for its pool's connection timeout
            boolean storeDown = loop.unreachable() != null;
            loop.stop(abandoned || storeDown);
            try {
                if (!abandoned && !storeDown) {
                    leave();
                } else if (storeDown) {
                    LOG.warn("job runtime {} (node {}): the store is unreachable, so the node is not deregistered; "
                            + "the other nodes declare it dead after its heartbeats stop", name, node);
                }
                tail.drain(lastWrittenEvent.get(), TimeUnit.SECONDS.toNanos(abandoned || storeDown ? 0 : 10));
                store.close();
            } finally {
                subscriptions.end();
                shutdownDone.countDown();
            }
        }
        var report = new ShutdownReport(finishedInGrace, cancelledRunning, List.of(),
                Duration.ofNanos(System.nanoTime() - start));
        LOG.info("job runtime {} (node {}) shut down: {} finished in grace, {} running were interrupted", name, node,
                finishedInGrace.size(), cancelledRunning.size());
        if (interrupted) {
            throw new InterruptedException("interrupted during shutdown of job runtime " + name
                    + "; shutdown completed: " + report);
        }
        return report;
    }

    /** Deregisters this node: its queued work stays, and anything it left running is recovered at once. */
    private void leave() {
        try {
            store.leave(nodeId);
        } catch (RuntimeException e) {
            LOG.warn("job runtime {} (node {}): could not deregister ({}); the other nodes declare it dead after its "
                    + "heartbeats stop", name, node, e.getMessage());
        }
    }

    /** Waits until no run is left or the real clock reaches {@code deadline}. */
    private void awaitRuns(long deadline) throws InterruptedException {
        endLock.lock();
        try {
            while (!running.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                runsChanged.awaitNanos(left);
            }
        } finally {
            endLock.unlock();
        }
    }

    @Override
    public void close() {
        try {
            shutdown(shutdownGrace);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "JobRuntime[" + name + " on node " + node + ", durable, " + running.size() + " running here]";
    }
}
