package dev.weft.jobs;

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
import java.util.Comparator;
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
     * so that a shutdown that sees `running` empty knows that no runner runs any more of the runtime's code. Admission (dedupe, caps, queue) is one
     * lock in Admission; retention is one lock in RetainedJobs; neither is held while the other is taken.
     *
     * Events: every event of a job is emitted under the job's monitor, which orders them, gives them increasing
     * sequence numbers, and lets FINISHED close the job's stream (finishedEmitted): a late PROGRESS or STUCK
     * sample finds it set and emits nothing. SUBMITTED is emitted while admission holds its lock, before the
     * job can be dispatched, so it precedes STARTED.
     *
     * Ending a job: the runner (or the canceller, for a queued job) sets the terminal state by CAS, then
     * finishedAt, retains the job (evicting the oldest beyond the limits), emits FINISHED, frees the admission
     * slot, and only then releases `done`, so a thread that awaited the job sees all of that, and a FINISHED
     * listener never sees more finished jobs than retention allows. The runner then drops the job from
     * `running` as it returns.
     *
     * Shutdown closes admission, which hands it the queued jobs, and cancels them. A queued job whose own cancel
     * recorded its reason first is ended by that cancel, in the cancelling thread, a moment later: shutdown waits
     * for `done` of every job it was handed, whoever ends it, so that it never returns with a job still QUEUED.
     */

    private static final Logger LOG = LoggerFactory.getLogger(JobRuntime.class);

    final TimeSource time;
    private final String name;
    private final Admission admission;
    private final RetainedJobs retained;
    private final ConcurrentHashMap<String, Job<?>> jobs = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Job<?>> running = new ConcurrentHashMap<>();
    private final CopyOnWriteArrayList<JobListener> listeners = new CopyOnWriteArrayList<>();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong eventSequence = new AtomicLong();
    private final Duration defaultExpectedDuration;
    private final Duration shutdownGrace;
    private final ProgressSampler sampler;
    private final AtomicBoolean shutdownStarted = new AtomicBoolean();
    private final CountDownLatch shutdownDone = new CountDownLatch(1);
    private final ReentrantLock endLock = new ReentrantLock();
    /** Signalled whenever a running job ends, and when a shutdown grace period passes. */
    private final Condition ended = endLock.newCondition();

    JobRuntimeImpl(JobRuntime.Builder b) {
        this.time = b.timeSource;
        this.name = b.name;
        this.admission = new Admission(b.maxRunning, b.maxQueued, b.maxRunningPerGroup);
        this.retained = new RetainedJobs(b.retention, b.timeSource);
        this.defaultExpectedDuration = b.defaultExpectedDuration;
        this.shutdownGrace = b.shutdownGrace;
        this.sampler = new ProgressSampler(time, b.progressInterval.toNanos(), name + "/progress-sampler",
                this::sampleProgress);
    }

    // ---- submit and run ----

    @Override
    @SuppressWarnings("unchecked")
    public <T> JobHandle<T> submit(JobSpec<T> spec) {
        Objects.requireNonNull(spec, "job spec must not be null");
        long seq = ids.incrementAndGet();
        var job = new Job<>(Long.toString(seq), seq, spec, time.instant());
        job.attach(this);
        Job<?> existing = admission.admit(job, this::admitted, this::startRunner);
        return existing != null ? (JobHandle<T>) existing : job;
    }

    /** Under the admission lock. */
    private void admitted(Job<?> job) {
        jobs.put(job.id, job);
        emit(job, JobEvent.Type.SUBMITTED);
        JobFlightEvents.submitted(job);
    }

    /** Under the admission lock: the job is RUNNING, give it a thread. */
    private <T> void startRunner(Job<T> job) {
        // stamped here, with the state change, so that no record is RUNNING without a start time and attempt
        job.startedAt = time.instant();
        job.attempt = 1;
        running.put(job.id, job);
        RuntimeThreads.startVirtual(name + "/" + job.name + "#" + job.id, new JobRunner<>(this, job));
    }

    void jobStarted(Job<?> job) {
        emit(job, JobEvent.Type.STARTED);
        LOG.info("job {} ({}) started", job.id, job.name);
        Duration expected = job.expectedDuration != null ? job.expectedDuration : defaultExpectedDuration;
        if (expected != null) {
            job.stuckTimer = time.schedule(time.nanoTime() + expected.toNanos(), () -> markStuck(job, expected));
        }
    }

    void attemptStarted(Job<?> job, int attempt) {
        JobFlightEvents.started(job, attempt);
        if (attempt > 1) {
            LOG.info("job {} ({}) attempt {} of {} started", job.id, job.name, attempt, job.retry.maxAttempts());
        }
    }

    /** The runner ends its job. */
    void jobEnded(Job<?> job, int terminal, long runNanos) {
        job.finishedAt = time.instant();
        JobState state = job.finish(terminal);
        var timer = job.stuckTimer;
        if (timer != null) {
            timer.cancel();
        }
        if (job.progress != null) {
            job.finalProgress = job.finalProgressSnapshot(state);
            job.progress = null;
        }
        job.body = null;
        // retained (and the oldest evicted) before FINISHED, so no listener can see more than the retention limit
        retained.add(job, state, this::evict);
        emit(job, JobEvent.Type.FINISHED);
        long millis = runNanos / 1_000_000;
        if (state == JobState.FAILED) {
            LOG.warn("job {} ({}) FAILED after {} ms, attempt {}", job.id, job.name, millis, job.attempt, job.failure);
        } else {
            LOG.info("job {} ({}) {} in {} ms", job.id, job.name, state, millis);
        }
        JobFlightEvents.finished(job, state, runNanos);
        admission.finished(job, this::startRunner);
        job.done.countDown();
    }

    /** The runner's last action: its job leaves `running`, so a shutdown waiting for that sees no runner left. */
    void runnerReturning(Job<?> job) {
        running.remove(job.id);
        signalEnded();
    }

    /** A queued job was cancelled before it ran (by cancel or shutdown). */
    private void endQueued(Job<?> job) {
        job.finishedAt = time.instant();
        admission.removeQueued(job);
        job.body = null;
        retained.add(job, JobState.CANCELLED, this::evict);
        emit(job, JobEvent.Type.FINISHED);
        LOG.info("job {} ({}) CANCELLED before it started: {}", job.id, job.name, job.cancelReason);
        JobFlightEvents.finished(job, JobState.CANCELLED, 0);
        job.done.countDown();
    }

    private void evict(Job<?> job) {
        jobs.remove(job.id, job);
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

    // ---- events ----

    @Override
    public JobSubscription subscribe(JobListener listener) {
        Objects.requireNonNull(listener, "listener");
        listeners.add(listener);
        sampler.ensureStarted();
        return () -> listeners.remove(listener);
    }

    private void emit(Job<?> job, JobEvent.Type type) {
        synchronized (job) {
            if (job.finishedEmitted) {
                return;
            }
            if (type == JobEvent.Type.FINISHED) {
                job.finishedEmitted = true;
            }
            if (listeners.isEmpty()) {
                return; // no one to tell: skip building the record
            }
            deliver(new JobEvent(eventSequence.incrementAndGet(), type, job.record()));
        }
    }

    private void deliver(JobEvent event) {
        for (JobListener l : listeners) {
            try {
                l.onEvent(event);
            } catch (RuntimeException | Error e) {
                LOG.warn("job listener {} threw on {} of job {}", l, event.type(), event.job().id(), e);
            }
        }
    }

    private void sampleProgress() {
        for (Job<?> job : running.values()) {
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
                deliver(new JobEvent(eventSequence.incrementAndGet(), JobEvent.Type.PROGRESS, job.record()));
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
        job.stuck = true;
        List<Thread> threads = new ArrayList<>();
        Thread runner = job.runner;
        if (runner != null) {
            threads.add(runner);
        }
        Scope<?, ?> scope = job.scope;
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
        LOG.warn("job {} ({}) is stuck: still running after its expected duration of {}; its threads:{}",
                job.id, job.name, expected, stacks);
        emit(job, JobEvent.Type.STUCK);
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
        List<Job<?>> matching = new ArrayList<>();
        for (Job<?> job : jobs.values()) {
            if (query.matches(job.state(), job.name, job.key)) {
                matching.add(job);
            }
        }
        matching.sort(Comparator.comparingLong((Job<?> j) -> j.seq).reversed());
        int from = Math.min(query.offset(), matching.size());
        int to = Math.min(from + query.limit(), matching.size());
        List<JobRecord> page = new ArrayList<>(to - from);
        for (Job<?> job : matching.subList(from, to)) {
            page.add(job.record());
        }
        return new JobPage(page, matching.size(), query.offset(), query.limit());
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
        for (Job<?> job : running.values()) {
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
        if (!shutdownStarted.compareAndSet(false, true)) {
            shutdownDone.await();
            return new ShutdownReport(List.of(), List.of(), List.of(), Duration.ZERO);
        }
        long start = time.nanoTime();
        boolean interrupted = false;
        List<String> cancelledQueued = new ArrayList<>();
        List<String> finishedInGrace = new ArrayList<>();
        List<String> cancelledRunning = new ArrayList<>();
        try {
            LOG.info("job runtime {} shutting down: {} running, grace {}", name, running.size(), grace);
            CancellationReason shutdown = CancellationReason.shutdown("job runtime " + name + " is shutting down");
            List<Job<?>> queuedAtClose = admission.close("the job runtime " + name + " is shutting down");
            for (Job<?> queued : queuedAtClose) {
                if (cancel(queued, shutdown)) {
                    cancelledQueued.add(queued.id);
                }
            }
            for (Job<?> queued : queuedAtClose) {
                interrupted |= awaitUninterruptibly(queued.done); // a cancel that came first ends it (see notes)
            }
            List<Job<?>> atStart = new ArrayList<>(running.values());
            try {
                awaitRunningJobs(start + grace.toNanos());
            } catch (InterruptedException e) {
                interrupted = true;
            }
            for (Job<?> job : atStart) {
                if (job.isTerminal()) {
                    finishedInGrace.add(job.id);
                }
            }
            for (Job<?> job : new ArrayList<>(running.values())) {
                if (cancel(job, shutdown)) {
                    cancelledRunning.add(job.id);
                }
            }
            while (true) {
                try {
                    awaitRunningJobs(Long.MAX_VALUE);
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            for (Job<?> job : atStart) {
                Thread runner = job.runner;
                if (runner != null) {
                    RuntimeThreads.joinUninterruptibly(runner);
                }
            }
            sampler.stop();
        } finally {
            shutdownDone.countDown();
        }
        var report = new ShutdownReport(finishedInGrace, cancelledRunning, cancelledQueued,
                Duration.ofNanos(time.nanoTime() - start));
        LOG.info("job runtime {} shut down: {} finished in grace, {} running and {} queued cancelled", name,
                finishedInGrace.size(), cancelledRunning.size(), cancelledQueued.size());
        if (interrupted) {
            throw new InterruptedException("interrupted during shutdown of job runtime " + name
                    + "; shutdown completed: " + report);
        }
        return report;
    }

    /** Waits for {@code latch}, ignoring interrupts meanwhile; true if the calling thread was interrupted. */
    private static boolean awaitUninterruptibly(CountDownLatch latch) {
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

    /** Waits until no job runs, or {@code deadlineNanos} (on the time source) has passed. */
    private void awaitRunningJobs(long deadlineNanos) throws InterruptedException {
        TimeSource.Timer timer = deadlineNanos == Long.MAX_VALUE ? null : time.schedule(deadlineNanos, this::signalEnded);
        try {
            endLock.lock();
            try {
                while (!running.isEmpty() && (deadlineNanos == Long.MAX_VALUE || time.nanoTime() - deadlineNanos < 0)) {
                    ended.await();
                }
            } finally {
                endLock.unlock();
            }
        } finally {
            if (timer != null) {
                timer.cancel();
            }
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
        return "JobRuntime[" + name + ", " + running.size() + " running, " + admission.queued() + " queued, "
                + retained.size() + " retained]";
    }
}
