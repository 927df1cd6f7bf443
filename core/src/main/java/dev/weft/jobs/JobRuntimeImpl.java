package dev.weft.jobs;

import dev.weft.internal.Nanos;
import dev.weft.internal.RuntimeThreads;
import dev.weft.internal.ScopeInternals;
import dev.weft.progress.ProgressSnapshot;
import dev.weft.scope.CancellationReason;
import dev.weft.scope.Scope;
import dev.weft.time.TimeSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/** The job runtime. See {@link JobRuntime} for the contract. */
final class JobRuntimeImpl implements JobRuntime {

    /*
     * Implementation notes.
     *
     * Indexes: `jobs` holds every queryable job (queued, running, retained) by id; `running` the jobs that have
     * a runner thread, from dispatch until their runner is about to return (runnerReturning, its last action),
     * so that a shutdown that sees `running` empty knows that no runner runs any more of the runtime's code.
     * Admission (dedupe, caps, queue) is one lock in Admission; retention is one lock in RetainedJobs; neither
     * is held while the other is taken.
     *
     * Events: every event of a job is created under the job's monitor, which orders them, gives them increasing
     * sequence numbers, and lets FINISHED close the job's stream (finishedEmitted): a late PROGRESS or STUCK
     * sample finds it set and emits nothing. The event is then offered to each subscription's ListenerFeed, an
     * O(1) append to a bounded backlog that a per-subscription thread delivers; no listener ever runs on an
     * emitting thread, so none can hold the admission lock, a job's monitor, a runner or a submitter. SUBMITTED
     * is offered while admission holds its lock, before the job can be dispatched, so it precedes STARTED.
     *
     * Ending a job: the runner (or the canceller, for a queued job) sets the terminal state by CAS, then
     * finishedAt, retains the job (evicting the oldest beyond the limits), emits FINISHED, frees the admission
     * slot, and only then releases `done`, so a thread that awaited the job sees all of that, and a FINISHED
     * listener never sees more finished jobs than retention allows. Each step after the CAS is guarded
     * (`guarded`): an exception in one is logged and the others still run, and the slot and `done` are released
     * in finally blocks, so no bookkeeping failure leaves a job non-terminal, a slot taken or a waiter hanging.
     * The runner then drops the job from `running` as it returns.
     *
     * Retry: a Job's terminal state is final, so a retry builds the job's next run as a new Job object under the
     * same id and seq (Job's retry constructor). It first waits for the ended run's `done`, so that run's
     * bookkeeping is complete (finish time, retention, its slot and key) and its FINISHED was emitted before the
     * next run's SUBMITTED. It then admits the new run under the admission lock (Admission.admitRetry), where
     * `jobs.replace(id, ended, next)` is the single step that decides between racing retries, a delete or an
     * eviction of the ended run: only a call that still finds that very object indexed goes on. It then puts the
     * new object in `bySeq` and drops the ended one from retention, so retention counts the job once. Every index
     * removal (evict, delete, `running`) is by identity, so removing an ended run never removes its successor;
     * `running` is a set of Job objects for that reason, since a retry's run may start before the ended run's
     * runner has returned.
     *
     * Shutdown closes admission, which hands it the queued jobs, and cancels them. A queued job whose own cancel
     * recorded its reason first is ended by that cancel, in the cancelling thread, a moment later: shutdown waits
     * for `done` of every job it was handed, whoever ends it, so that it never returns with a job still QUEUED.
     * The grace period is measured on the real clock (System.nanoTime), never on the runtime's TimeSource, so a
     * manual clock cannot hold shutdown. Whatever happens in the first steps, the last ones (cancel what still
     * runs, wait for every runner, stop the sampler, drain and end the subscriptions) run in a finally block.
     */

    private static final Logger LOG = LoggerFactory.getLogger(JobRuntime.class);

    final TimeSource time;
    private final String name;
    private final Admission admission;
    private final JobTypes types;
    private final RetainedJobs retained;
    private final ConcurrentHashMap<String, Job<?>> jobs = new ConcurrentHashMap<>();
    /** The same jobs by submission sequence, for listing newest first without sorting. */
    private final java.util.concurrent.ConcurrentSkipListMap<Long, Job<?>> bySeq =
            new java.util.concurrent.ConcurrentSkipListMap<>();
    /** By identity, not id: a retry's run may start before the runner of the run it replaced has returned. */
    private final java.util.Set<Job<?>> running = ConcurrentHashMap.newKeySet();
    private final Subscriptions subscriptions;
    private final AtomicLong submissions = new AtomicLong();
    private final JobIds ids = new JobIds();
    private final AtomicLong eventSequence = new AtomicLong();
    private final Duration defaultExpectedDuration;
    private final Duration shutdownGrace;
    private final String nodeId = ids.next();
    private final java.time.Instant startedAt;
    private final ProgressSampler sampler;
    private final AtomicBoolean shutdownStarted = new AtomicBoolean();
    private final CountDownLatch shutdownDone = new CountDownLatch(1);
    private final ReentrantLock endLock = new ReentrantLock();
    /** Signalled whenever a running job ends. */
    private final Condition ended = endLock.newCondition();

    JobRuntimeImpl(JobRuntime.Builder b) {
        this.time = b.timeSource;
        this.name = b.name;
        this.startedAt = b.timeSource.instant();
        this.types = new JobTypes(b.types.values());
        this.admission = new Admission(b.maxRunning, b.maxQueued, b.maxRunningPerGroup);
        this.retained = new RetainedJobs(b.retention, b.timeSource);
        this.defaultExpectedDuration = b.defaultExpectedDuration;
        this.shutdownGrace = b.shutdownGrace;
        this.subscriptions = new Subscriptions(b.name, b.listenerBacklog);
        this.sampler = new ProgressSampler(time, Nanos.of(b.progressInterval), name + "/progress-sampler",
                this::sampleProgress);
    }

    // ---- submit and run ----

    @Override
    @SuppressWarnings("unchecked") // an existing job is returned only if it declares the same result type
    public <T> JobHandle<T> submit(JobSpec<T> spec) {
        Objects.requireNonNull(spec, "job spec must not be null");
        if (spec.type() != null) {
            types.require(spec.type());
        }
        long seq = submissions.incrementAndGet();
        var job = new Job<>(ids.next(), seq, spec, time.instant(), nodeId);
        job.attach(this);
        Job<?> existing = admission.admit(job, this::admitted, this::startRunner);
        return existing != null ? (JobHandle<T>) existing : job;
    }

    @Override
    public <T> List<JobHandle<T>> submitAll(java.util.Collection<JobSpec<T>> specs) {
        Objects.requireNonNull(specs, "specs");
        for (JobSpec<T> spec : specs) {
            Objects.requireNonNull(spec, "job spec must not be null");
            if (spec.type() != null) {
                types.require(spec.type());
            }
        }
        List<JobHandle<T>> handles = new ArrayList<>(specs.size());
        for (JobSpec<T> spec : specs) {
            handles.add(submit(spec));
        }
        return handles;
    }

    /** Under the admission lock. */
    private void admitted(Job<?> job) {
        jobs.put(job.id, job);
        bySeq.put(job.seq, job);
        emit(job, JobEvent.Type.SUBMITTED);
        JobFlightEvents.submitted(job);
    }

    /** Starts a runner's thread; a test may replace it to make thread creation fail. */
    interface RunnerStarter {
        void start(String threadName, Runnable runner);
    }

    volatile RunnerStarter runnerStarter = RuntimeThreads::startVirtual;

    /** Under the admission lock: the job is RUNNING, give it a thread. */
    private <T> void startRunner(Job<T> job) {
        // stamped here, with the state change, so that no record is RUNNING without a start time and attempt
        job.startedAt = time.instant();
        job.attempt = job.attemptsBefore + 1;
        running.add(job);
        try {
            runnerStarter.start(name + "/" + job.name + "#" + job.id, new JobRunner<>(this, job));
        } catch (Throwable noThread) { // an OutOfMemoryError, say: the job ends FAILED here and frees its slot
            endUnstarted(job, noThread);
        }
    }

    /**
     * Under the admission lock, from its dispatch: a job whose runner thread could not start ends FAILED with
     * {@code why}. Its slot is released without a nested dispatch (the dispatch in progress goes on).
     */
    private void endUnstarted(Job<?> job, Throwable why) {
        try {
            guarded(job, "record its failure", () -> job.recordFailure(why));
            job.finishedAt = time.instant();
            JobState state = job.finish(Job.FAILED);
            job.body = null;
            guarded(job, "retain it", () -> retained.add(job, state, this::evict));
            guarded(job, "emit FINISHED", () -> emit(job, JobEvent.Type.FINISHED));
            guarded(job, "log its end", () -> LOG.error("job {} ({}) {}: its thread could not start", job.id,
                    job.name, state, why));
            guarded(job, "record its JFR event", () -> JobFlightEvents.finished(job, state, 0));
        } finally {
            try {
                admission.releaseSlot(job);
            } finally {
                job.done.countDown();
                running.remove(job);
                signalEnded();
            }
        }
    }

    void jobStarted(Job<?> job) {
        emit(job, JobEvent.Type.STARTED);
        LOG.info("job {} ({}) started", job.id, job.name);
        Duration expected = job.expectedDuration != null ? job.expectedDuration : defaultExpectedDuration;
        if (expected != null) {
            job.stuckTimer = time.schedule(time.nanoTime() + Nanos.of(expected), () -> markStuck(job, expected));
        }
    }

    void attemptStarted(Job<?> job, int attempt) {
        JobFlightEvents.started(job, attempt);
        if (attempt > 1) {
            LOG.info("job {} ({}) attempt {} of {} started", job.id, job.name, attempt, job.maxAttempts());
        }
    }

    /**
     * The runner ends its job. Never throws: the job ends {@code terminal} (or CANCELLED), its slot is freed and
     * {@code done} released whatever fails on the way (a failing step is logged).
     */
    void jobEnded(Job<?> job, int terminal, long runNanos) {
        try {
            job.finishedAt = time.instant();
            JobState state = job.finish(terminal);
            guarded(job, "cancel its stuck timer", () -> {
                var timer = job.stuckTimer;
                if (timer != null) {
                    timer.cancel();
                }
            });
            guarded(job, "keep its final progress", () -> {
                if (job.progress != null) {
                    job.finalProgress = job.finalProgressSnapshot(state);
                    job.progress = null;
                }
            });
            job.body = null;
            if (state == JobState.SUCCEEDED) {
                job.spec = null; // only a job that did not succeed can be retried
            }
            // retained (and the oldest evicted) before FINISHED, so no listener can see more than the retention limit
            guarded(job, "retain it", () -> retained.add(job, state, this::evict));
            guarded(job, "emit FINISHED", () -> emit(job, JobEvent.Type.FINISHED));
            guarded(job, "log its end", () -> {
                long millis = runNanos / 1_000_000;
                if (state == JobState.FAILED) {
                    LOG.warn("job {} ({}) FAILED after {} ms, attempt {}", job.id, job.name, millis, job.attempt,
                            job.failure);
                } else {
                    LOG.info("job {} ({}) {} in {} ms", job.id, job.name, state, millis);
                }
            });
            guarded(job, "record its JFR event", () -> JobFlightEvents.finished(job, state, runNanos));
        } finally {
            try {
                admission.finished(job, this::startRunner);
            } finally {
                job.done.countDown();
            }
        }
    }

    /**
     * Runs one bookkeeping step of {@code job}; an exception it throws is logged (if logging works) and
     * swallowed, so that the steps after it still run.
     */
    static void guarded(Job<?> job, String step, Runnable action) {
        try {
            action.run();
        } catch (Throwable t) {
            try {
                LOG.error("job {} ({}): could not {}; the job's bookkeeping goes on", job.id, job.name, step, t);
            } catch (Throwable ignored) {
                // nothing left to tell it with
            }
        }
    }

    /** The runner's last action: its job leaves `running`, so a shutdown waiting for that sees no runner left. */
    void runnerReturning(Job<?> job) {
        running.remove(job);
        signalEnded();
    }

    /** A queued job was cancelled before it ran (by cancel or shutdown); its state is CANCELLED already. */
    private void endQueued(Job<?> job) {
        try {
            job.finishedAt = time.instant();
            guarded(job, "leave the queue", () -> admission.removeQueued(job));
            job.body = null;
            guarded(job, "retain it", () -> retained.add(job, JobState.CANCELLED, this::evict));
            guarded(job, "emit FINISHED", () -> emit(job, JobEvent.Type.FINISHED));
            guarded(job, "log its end", () -> LOG.info("job {} ({}) CANCELLED before it started: {}", job.id,
                    job.name, job.cancelReason));
            guarded(job, "record its JFR event", () -> JobFlightEvents.finished(job, JobState.CANCELLED, 0));
        } finally {
            job.done.countDown();
        }
    }

    private void evict(Job<?> job) {
        jobs.remove(job.id, job);
        bySeq.remove(job.seq, job);
    }

    private void signalEnded() {
        endLock.lock();
        try {
            ended.signalAll();
        } finally {
            endLock.unlock();
        }
    }

    // ---- cancel ----

    @Override
    public boolean cancel(String id, String why) {
        Objects.requireNonNull(why, "why");
        return cancel(require(id), CancellationReason.explicit(why));
    }

    boolean cancel(Job<?> job, CancellationReason reason) {
        if (!job.requestCancel(reason)) {
            return false;
        }
        while (true) {
            int s = job.rawState();
            if (s == Job.QUEUED && job.cancelQueued()) {
                endQueued(job);
                return true;
            }
            if (s == Job.RUNNING && job.markCancelling()) {
                Scope<?, ?> scope = job.scope;
                if (scope != null) {
                    scope.cancel(reason);
                }
                Thread runner = job.runner;
                if (job.inBackoff && runner != null) {
                    runner.interrupt();
                }
                LOG.info("job {} ({}) cancellation requested: {}", job.id, job.name, reason);
                return true;
            }
            if (job.isTerminal()) {
                // The runner may have seen our reason (recorded above) before we could mark the job CANCELLING,
                // and ended it CANCELLED itself: then this call did cancel it. A job ends CANCELLED only with a
                // reason, and only the first requestCancel records one, so CANCELLED here means ours.
                return job.rawState() == Job.CANCELLED;
            }
        }
    }

    // ---- retry and delete ----

    @Override
    public JobHandle<?> retry(String id) {
        Job<?> ended = require(id);
        return retry(ended);
    }

    private <T> JobHandle<T> retry(Job<T> ended) {
        JobState state = ended.state();
        JobSpec<T> spec = ended.spec;
        if (state != JobState.FAILED && state != JobState.CANCELLED && state != JobState.TIMED_OUT || spec == null) {
            throw new IllegalStateException("job " + ended.id + " is " + state + "; only a FAILED, CANCELLED or"
                    + " TIMED_OUT job can be retried");
        }
        // the ended run's bookkeeping (finish time, retention, FINISHED, its slot and key) completes before `done`
        // is released, and always does: after this, the next run's events follow the ended run's FINISHED
        if (awaitUninterruptibly(ended.done)) {
            Thread.currentThread().interrupt();
        }
        var next = new Job<>(ended, spec);
        next.attach(this);
        admission.admitRetry(next, n -> {
            // the one step that decides a race of retries (and of a retry with delete or eviction): only the
            // call that finds the ended run still indexed replaces it
            if (!jobs.replace(n.id, ended, n)) {
                Job<?> now = jobs.get(n.id);
                if (now == null) {
                    throw new NoSuchJobException(n.id);
                }
                throw new IllegalStateException("job " + n.id + " is " + now.state() + "; only a FAILED, CANCELLED"
                        + " or TIMED_OUT job can be retried (another retry ran it again first)");
            }
            bySeq.put(n.seq, n);
            retained.remove(ended);
            emit(n, JobEvent.Type.SUBMITTED);
            JobFlightEvents.submitted(n);
        }, this::startRunner);
        LOG.info("job {} ({}) retried: attempt {} of {} is queued", next.id, next.name, next.attemptsBefore + 1,
                next.maxAttempts());
        return next;
    }

    @Override
    public boolean delete(String id) {
        Job<?> job = require(id);
        if (!job.isTerminal()) {
            throw new IllegalStateException("job " + id + " is " + job.state() + "; only a finished job can be"
                    + " deleted (cancel it first)");
        }
        bySeq.remove(job.seq, job);
        return jobs.remove(id, job); // its retention entry goes when evicted; it holds nothing the job's body did
    }

    // ---- events ----

    @Override
    public JobSubscription subscribe(JobListener listener) {
        Objects.requireNonNull(listener, "listener");
        JobSubscription subscription = subscriptions.add(listener);
        sampler.ensureStarted(); // starts nothing once shutdown has stopped it
        return subscription;
    }

    private void emit(Job<?> job, JobEvent.Type type) {
        synchronized (job) {
            if (job.finishedEmitted) {
                return;
            }
            if (type == JobEvent.Type.FINISHED) {
                job.finishedEmitted = true;
            }
            if (subscriptions.isEmpty()) {
                return; // no one to tell: skip building the record
            }
            subscriptions.offer(new JobEvent(eventSequence.incrementAndGet(), type, job.record()));
        }
    }

    private void sampleProgress() {
        for (Job<?> job : running) {
            ProgressSnapshot snap = job.progressSnapshot();
            if (snap == null) {
                continue;
            }
            synchronized (job) {
                ProgressSnapshot last = job.lastEmittedProgress;
                if (job.finishedEmitted || job.startedAt == null || (last != null && sameProgress(last, snap))) {
                    continue;
                }
                job.lastEmittedProgress = snap;
                subscriptions.offer(new JobEvent(eventSequence.incrementAndGet(), JobEvent.Type.PROGRESS, job.record()));
            }
        }
    }

    private static boolean sameProgress(ProgressSnapshot a, ProgressSnapshot b) {
        return a.done() == b.done() && a.total() == b.total() && a.fraction() == b.fraction()
                && a.state() == b.state() && Objects.equals(a.step(), b.step())
                && Objects.equals(a.message(), b.message()) && a.name().equals(b.name());
    }

    private void markStuck(Job<?> job, Duration expected) {
        if (job.isTerminal()) {
            return;
        }
        String stacks = stacks(job.runner, job.scope);
        job.stuckThreads = stacks;
        job.stuck = true;
        guarded(job, "log that it is stuck", () -> LOG.warn(
                "job {} ({}) is stuck: still running after its expected duration of {}; its threads:{}",
                job.id, job.name, expected, stacks));
        emit(job, JobEvent.Type.STUCK);
    }

    /** The names and stacks of a job's runner and of its scope's live threads, one after the other. */
    static String stacks(Thread runner, Scope<?, ?> scope) {
        List<Thread> threads = new ArrayList<>();
        if (runner != null) {
            threads.add(runner);
        }
        if (scope != null) {
            threads.addAll(ScopeInternals.liveThreads(scope));
        }
        var stacks = new StringBuilder();
        for (Thread t : threads) {
            stacks.append("\n\"").append(t.getName()).append("\"");
            for (StackTraceElement e : t.getStackTrace()) {
                stacks.append("\n    at ").append(e);
            }
        }
        return stacks.toString();
    }

    // ---- queries ----

    private Job<?> require(String id) {
        Objects.requireNonNull(id, "job id must not be null");
        retained.expire(this::evict);
        Job<?> job = jobs.get(id);
        if (job == null) {
            throw new NoSuchJobException(id);
        }
        return job;
    }

    @Override
    public JobRecord get(String id) {
        return require(id).record();
    }

    @Override
    public Optional<JobRecord> find(String id) {
        return handle(id).map(h -> h.record());
    }

    @Override
    public Optional<JobHandle<?>> handle(String id) {
        Objects.requireNonNull(id, "job id must not be null");
        retained.expire(this::evict);
        return Optional.ofNullable(jobs.get(id));
    }

    @Override
    public JobPage list(JobQuery query) {
        Objects.requireNonNull(query, "query");
        retained.expire(this::evict);
        // newest first straight from the sequence index: no sort, and only the page's records are built
        int matched = 0;
        int end = query.offset() + query.limit();
        List<JobRecord> page = new ArrayList<>(Math.min(query.limit(), 64));
        for (Job<?> job : bySeq.descendingMap().values()) {
            if (query.matches(job.state(), job.id, job.name, job.key, job.group, job.typeName)) {
                if (matched >= query.offset() && matched < end) {
                    page.add(job.record());
                }
                matched++;
            }
        }
        return new JobPage(page, matched, query.offset(), query.limit());
    }

    @Override
    public Map<JobState, Long> counts() {
        retained.expire(this::evict);
        var counts = new EnumMap<JobState, Long>(JobState.class);
        for (JobState s : JobState.values()) {
            counts.put(s, 0L);
        }
        for (Job<?> job : jobs.values()) {
            counts.merge(job.state(), 1L, Long::sum);
        }
        return counts;
    }

    @Override
    public List<Scope<?, ?>> scopes() {
        List<Scope<?, ?>> scopes = new ArrayList<>();
        for (Job<?> job : running) {
            Scope<?, ?> s = job.scope;
            if (s != null) {
                scopes.add(s);
            }
        }
        return scopes;
    }

    // ---- shutdown ----

    @Override
    public ShutdownReport shutdown(Duration grace) throws InterruptedException {
        Objects.requireNonNull(grace, "grace");
        if (grace.isNegative()) {
            throw new IllegalArgumentException("shutdown grace must be zero or positive, was " + grace);
        }
        if (!shutdownStarted.compareAndSet(false, true)) {
            boolean interrupted = awaitUninterruptibly(shutdownDone);
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            return new ShutdownReport(List.of(), List.of(), List.of(), Duration.ZERO);
        }
        long start = System.nanoTime();
        long graceEnd = start + Nanos.of(grace); // real time: a manual TimeSource must not hold shutdown
        boolean interrupted = false;
        List<String> cancelledQueued = new ArrayList<>();
        List<String> finishedInGrace = new ArrayList<>();
        List<String> cancelledRunning = new ArrayList<>();
        CancellationReason shutdown = CancellationReason.shutdown("job runtime " + name + " is shutting down");
        List<Job<?>> atStart = List.of();
        try {
            LOG.info("job runtime {} shutting down: {} running, grace {}", name, running.size(), grace);
            List<Job<?>> queuedAtClose = admission.close("the job runtime " + name + " is shutting down");
            atStart = new ArrayList<>(running);
            for (Job<?> queued : queuedAtClose) {
                if (cancel(queued, shutdown)) {
                    cancelledQueued.add(queued.id);
                }
            }
            for (Job<?> queued : queuedAtClose) {
                interrupted |= awaitUninterruptibly(queued.done); // a cancel that came first ends it (see notes)
            }
            try {
                awaitRunningJobs(graceEnd, false);
            } catch (InterruptedException e) {
                interrupted = true;
            }
            for (Job<?> job : atStart) {
                if (job.isTerminal()) {
                    finishedInGrace.add(job.id);
                }
            }
        } finally {
            // whatever failed above: end every job, wait for every runner, and end every runtime thread
            try {
                for (Job<?> job : new ArrayList<>(running)) {
                    try {
                        if (cancel(job, shutdown)) {
                            cancelledRunning.add(job.id);
                        }
                    } catch (RuntimeException | Error e) {
                        LOG.error("job runtime {}: could not cancel job {} at shutdown", name, job.id, e);
                    }
                }
                interrupted |= awaitRunningJobsUninterruptibly();
                for (Job<?> job : atStart) {
                    Thread runner = job.runner;
                    if (runner != null) {
                        RuntimeThreads.joinUninterruptibly(runner);
                    }
                }
                sampler.stop();
                subscriptions.end();
            } finally {
                shutdownDone.countDown();
            }
        }
        var report = new ShutdownReport(finishedInGrace, cancelledRunning, cancelledQueued,
                Duration.ofNanos(System.nanoTime() - start));
        LOG.info("job runtime {} shut down: {} finished in grace, {} running and {} queued cancelled", name,
                finishedInGrace.size(), cancelledRunning.size(), cancelledQueued.size());
        if (interrupted) {
            throw new InterruptedException("interrupted during shutdown of job runtime " + name
                    + "; shutdown completed: " + report);
        }
        return report;
    }

    /** Waits for {@code latch}, ignoring interrupts meanwhile; true if the calling thread was interrupted. */
    static boolean awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                return interrupted;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
    }

    /** Waits until no job runs, ignoring interrupts meanwhile; true if the calling thread was interrupted. */
    private boolean awaitRunningJobsUninterruptibly() {
        boolean interrupted = false;
        while (true) {
            try {
                awaitRunningJobs(0, true);
                return interrupted;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
    }

    /** Waits until no job runs, or (unless {@code forever}) the real clock reaches {@code deadlineNanos}. */
    private void awaitRunningJobs(long deadlineNanos, boolean forever) throws InterruptedException {
        endLock.lock();
        try {
            while (!running.isEmpty()) {
                if (forever) {
                    ended.await();
                } else {
                    long left = deadlineNanos - System.nanoTime();
                    if (left <= 0) {
                        return;
                    }
                    ended.awaitNanos(left);
                }
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
    public Optional<List<JobEvent>> eventsAfter(long sequence, int max) {
        return Optional.empty(); // events are not kept in memory beyond their delivery
    }

    @Override
    public Health health() {
        return new Health(Health.Status.UP, "");
    }

    @Override
    public List<NodeInfo> nodes() {
        NodeInfo.State state = shutdownStarted.get() ? NodeInfo.State.LEFT : NodeInfo.State.ALIVE;
        return List.of(new NodeInfo(nodeId, name, startedAt, dev.weft.internal.WeftVersion.get(), time.instant(),
                state, running.size(), admission.queued()));
    }

    @Override
    public String toString() {
        return "JobRuntime[" + name + ", " + running.size() + " running, " + admission.queued() + " queued, "
                + retained.size() + " retained]";
    }
}
