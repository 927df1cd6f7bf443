package dev.weft.jobs;

import dev.weft.internal.Nanos;
import dev.weft.progress.Progress;
import dev.weft.progress.ProgressSnapshot;
import dev.weft.progress.ProgressState;
import dev.weft.scope.CancellationReason;
import dev.weft.scope.Retry;
import dev.weft.scope.Scope;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** One job: its record fields, its state machine, its handle and the context its body sees. */
final class Job<T> implements JobHandle<T>, JobContext {

    /*
     * Implementation notes.
     *
     * State machine (the `state` word, changed only by CAS):
     *   QUEUED -> RUNNING            the dispatcher, under the admission lock
     *   QUEUED -> CANCELLED          cancel() or shutdown, racing the dispatcher: one CAS wins
     *   RUNNING -> CANCELLING        cancel(): a running job's cancellation was requested (reported as RUNNING)
     *   RUNNING -> SUCCEEDED | FAILED | TIMED_OUT | CANCELLED   the runner, when the job ends
     *   CANCELLING -> CANCELLED      the runner, when a job whose cancellation was requested ends
     * So the terminal state is written exactly once, and a cancel() that returned true always ends CANCELLED:
     * a runner that finished first makes cancel()'s CAS fail, and a cancel() that won turns the runner's
     * RUNNING -> X into CANCELLING -> CANCELLED. `cancelReason` is CAS'd from null first, so concurrent cancels
     * agree on one reason and only the first can return true. The runner reads `cancelReason` too (before an
     * attempt, and when an attempt throws) and may end the job RUNNING -> CANCELLED before the winning cancel()
     * has marked it CANCELLING; that cancel() then finds it CANCELLED and still returns true, so "cancel()
     * returned true" and "the job ended CANCELLED" are equivalent (jcstress: JobTerminalStateSetExactlyOnce).
     *
     * A retry (JobRuntime.retry) never moves a Job back: it builds a new Job under the same id, seq and submission
     * time (the retry constructor), which carries the ended one's attempt count (attemptsBefore) and its runs
     * (earlierRuns), and replaces it in the runtime's indexes. A handle to the ended Job keeps reporting that
     * run; its `done` latch stays released.
     *
     * Record fields other than `state` are written by the thread that owns the current phase (the dispatcher
     * writes nothing but the state; the runner writes startedAt, attempt, scope, progress, outcome fields and
     * finally finishedAt before releasing `done`), and are volatile so snapshots from other threads see them.
     */

    static final int QUEUED = 0, RUNNING = 1, CANCELLING = 2, SUCCEEDED = 3, FAILED = 4, CANCELLED = 5, TIMED_OUT = 6;
    private static final JobState[] STATES = {JobState.QUEUED, JobState.RUNNING, JobState.RUNNING,
            JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED, JobState.TIMED_OUT};
    private static final int MAX_RESULT_CHARS = 1000;

    final String id;
    final long seq;
    final String name;
    final String key;
    final String group;
    final int priority;
    final Duration timeout;
    final Retry retry;
    final Duration expectedDuration;
    /** The declared result type (wrapped if primitive), or null when the spec declared none. */
    final Class<?> resultType;
    final Instant submittedAt;
    /** The job type's name, or null for a job built from a body. */
    final String typeName;
    /** The id of the runtime's node, reported in the record while the job runs. */
    final String nodeId;
    /** How many attempts the job's earlier runs made; this run's first attempt is the next one. */
    final int attemptsBefore;
    /** The runs that ended before JobRuntime.retry ran the job again, oldest first. */
    final List<JobRecord.EarlierRun> earlierRuns;
    /** The spec, kept until the job ends SUCCEEDED so that a failed or cancelled job can be retried. */
    volatile JobSpec<T> spec;
    /** The body; dropped once the job ends so a retained record does not keep what the body captured. */
    volatile JobBody<T> body;

    private volatile int state;
    volatile CancellationReason cancelReason;
    volatile Instant startedAt;
    volatile Instant finishedAt;
    volatile int attempt;
    volatile Scope<Object, List<Object>> scope;
    volatile Progress progress;
    /** The job's final progress (see progressSnapshot), kept when the job ends instead of the node. */
    volatile ProgressSnapshot finalProgress;
    /** The highest fraction an ended attempt reached; written by the runner after each attempt. */
    volatile double attemptsFraction;
    volatile boolean stuck;
    /** The threads when it was flagged stuck, or null. */
    volatile String stuckThreads;
    volatile T value;
    volatile Throwable failure;
    volatile String resultSummary;
    volatile JobError error;
    /** The stuck-job timer, if armed; written by the runner. */
    volatile dev.weft.time.TimeSource.Timer stuckTimer;
    /** Whether the runner is waiting between attempts (a cancel then interrupts it). */
    volatile boolean inBackoff;
    /** The runner thread; written by the runner when it starts. */
    volatile Thread runner;
    /** Released once the job is terminal and its record final. */
    final CountDownLatch done = new CountDownLatch(1);
    /** Guarded by `this`: whether FINISHED was emitted (no event of the job may follow it). */
    boolean finishedEmitted;
    /** Guarded by `this`: the last progress snapshot emitted as a PROGRESS event. */
    ProgressSnapshot lastEmittedProgress;

    Job(String id, long seq, JobSpec<T> spec, Instant submittedAt, String nodeId) {
        this(id, seq, spec, submittedAt, nodeId, 0, List.of());
    }

    /**
     * The next run of {@code ended} (FAILED, CANCELLED or TIMED_OUT, with {@code spec} its spec): the same id,
     * sequence and submission time, its attempts counted on from the ended run's, and that run added to the
     * earlier runs.
     */
    Job(Job<T> ended, JobSpec<T> spec) {
        this(ended.id, ended.seq, spec, ended.submittedAt, ended.nodeId, ended.attempt, withRun(ended));
    }

    private Job(String id, long seq, JobSpec<T> spec, Instant submittedAt, String nodeId, int attemptsBefore,
                List<JobRecord.EarlierRun> earlierRuns) {
        this.id = id;
        this.nodeId = nodeId;
        this.typeName = spec.type() == null ? null : spec.type().name();
        this.attemptsBefore = attemptsBefore;
        this.earlierRuns = earlierRuns;
        this.attempt = attemptsBefore;
        this.spec = spec;
        this.seq = seq;
        this.name = spec.name();
        this.key = spec.key();
        this.group = spec.group();
        this.priority = spec.priority();
        this.timeout = spec.timeout();
        this.retry = spec.retry() != null || spec.type() == null ? spec.retry() : spec.type().retry();
        this.expectedDuration = spec.expectedDuration();
        this.resultType = spec.resultType();
        this.body = spec.body();
        this.submittedAt = submittedAt;
    }

    private static List<JobRecord.EarlierRun> withRun(Job<?> ended) {
        JobRecord r = ended.record();
        var runs = new java.util.ArrayList<>(ended.earlierRuns);
        runs.add(new JobRecord.EarlierRun(ended.attemptsBefore + 1, r.attempt(), r.state(), r.startedAt(),
                r.finishedAt(), r.error(), r.cancellationReason()));
        return List.copyOf(runs);
    }

    /** The highest attempt number this run may reach. */
    int maxAttempts() {
        return attemptsBefore + (retry == null ? 1 : retry.maxAttempts());
    }

    // ---- state machine ----

    int rawState() {
        return state;
    }

    JobState state() {
        return STATES[state];
    }

    boolean isTerminal() {
        return state >= SUCCEEDED;
    }

    boolean start() {
        return STATE.compareAndSet(this, QUEUED, RUNNING);
    }

    /** Records the cancellation request; true if this call is the first. */
    boolean requestCancel(CancellationReason reason) {
        return REASON.compareAndSet(this, null, reason);
    }

    /** After requestCancel won: QUEUED -> CANCELLED. */
    boolean cancelQueued() {
        return STATE.compareAndSet(this, QUEUED, CANCELLED);
    }

    /** After requestCancel won: RUNNING -> CANCELLING. */
    boolean markCancelling() {
        return STATE.compareAndSet(this, RUNNING, CANCELLING);
    }

    /** The runner ends the job as {@code terminal}, or as CANCELLED if its cancellation was requested. */
    JobState finish(int terminal) {
        if (STATE.compareAndSet(this, RUNNING, terminal)) {
            return STATES[terminal];
        }
        if (STATE.compareAndSet(this, CANCELLING, CANCELLED)) {
            return JobState.CANCELLED;
        }
        throw new IllegalStateException("job " + id + " finished twice: it was already " + STATES[state]);
    }

    void recordValue(T v) {
        value = v;
        String s = String.valueOf(v);
        resultSummary = s.length() > MAX_RESULT_CHARS ? s.substring(0, MAX_RESULT_CHARS) + "..." : s;
    }

    void recordFailure(Throwable t) {
        failure = t;
        error = JobError.of(t);
    }

    @Override
    public JobRecord record() {
        int s = state;
        ProgressSnapshot snap = progressSnapshot();
        CancellationReason why = cancelReason;
        CancellationReason cancellation = s == CANCELLED && why != null
                ? (why.cause() == null ? why : new CancellationReason(why.kind(), why.detail(), null))
                : s == TIMED_OUT ? new CancellationReason(CancellationReason.Kind.DEADLINE,
                        "job " + id + " exceeded its timeout of " + timeout, null) : null;
        return new JobRecord(id, name, key, group, priority, STATES[s], submittedAt, startedAt, finishedAt,
                attempt, maxAttempts(),
                s == SUCCEEDED ? resultSummary : null, s == SUCCEEDED ? null : error, cancellation,
                snap, stuck, expectedDuration, stuckThreads, typeName, earlierRuns,
                s == RUNNING || s == CANCELLING ? nodeId : null);
    }

    /**
     * The job's progress as its record reports it: the current (or last) attempt's node, with the fraction never
     * below what an earlier attempt reached, and the state RUNNING until the job ends, so that neither an attempt
     * that ended (the job waits to retry) nor a new attempt starting at 0 moves the job's fraction back or makes
     * it look finished. Once the job has ended, the snapshot kept at its end. Null before the first attempt.
     */
    ProgressSnapshot progressSnapshot() {
        ProgressSnapshot last = finalProgress; // set (once the job ended) before progress is dropped
        Progress p = progress;
        if (last != null || p == null) {
            return last;
        }
        ProgressSnapshot s = p.snapshot();
        double floor = attemptsFraction;
        if (!s.state().hasEnded() && s.fraction() >= floor) {
            return s;
        }
        return new ProgressSnapshot(s.name(), s.done(), s.total(), Math.max(s.fraction(), floor), s.step(),
                s.message(), s.rate(), s.state().hasEnded() ? Optional.empty() : s.eta(), false,
                ProgressState.RUNNING, s.takenAt());
    }

    /** The job's progress at its end, in its terminal state: the last attempt's counts, the job's best fraction. */
    ProgressSnapshot finalProgressSnapshot(JobState terminal) {
        Progress p = progress;
        return p == null ? null : ended(p.snapshot(), terminal, attemptsFraction);
    }

    /**
     * {@code s} as a job's final progress: in the job's terminal state, complete (fraction 1) only if it
     * SUCCEEDED, else with the larger of its fraction and {@code floor}, and no ETA.
     */
    static ProgressSnapshot ended(ProgressSnapshot s, JobState terminal, double floor) {
        boolean succeeded = terminal == JobState.SUCCEEDED;
        double fraction = succeeded ? 1.0 : Math.max(s.fraction(), floor);
        ProgressState state = switch (terminal) {
            case SUCCEEDED -> ProgressState.SUCCEEDED;
            case FAILED -> ProgressState.FAILED;
            case TIMED_OUT -> ProgressState.TIMED_OUT;
            case CANCELLED, QUEUED, RUNNING -> ProgressState.CANCELLED;
        };
        return new ProgressSnapshot(s.name(), s.done(), s.total(), fraction, s.step(), s.message(), s.rate(),
                succeeded ? s.eta() : Optional.empty(), succeeded, state, s.takenAt());
    }

    // ---- JobHandle ----

    @Override
    public String id() {
        return id;
    }

    @Override
    public T await() throws InterruptedException {
        done.await();
        return valueOrThrow();
    }

    @Override
    public T await(Duration timeout) throws InterruptedException, TimeoutException {
        if (!awaitCompletion(timeout)) {
            throw new TimeoutException("job " + id + " (" + name + ") did not finish within " + timeout
                    + "; it is " + STATES[state]);
        }
        return valueOrThrow();
    }

    @Override
    public boolean awaitCompletion(Duration timeout) throws InterruptedException {
        Objects.requireNonNull(timeout, "timeout");
        return done.await(Math.max(0, Nanos.of(timeout)), TimeUnit.NANOSECONDS);
    }

    private T valueOrThrow() {
        return switch (state) {
            case SUCCEEDED -> value;
            case CANCELLED -> throw new JobCancelledException(record());
            case TIMED_OUT -> throw new JobTimedOutException(record(), failure);
            default -> throw new JobFailedException(record(), failure);
        };
    }

    @Override
    public boolean cancel(String why) {
        return runtime().cancel(this, CancellationReason.explicit(Objects.requireNonNull(why, "why")));
    }

    /** Set once by the runtime before the handle is published. */
    private JobRuntimeImpl runtime;

    void attach(JobRuntimeImpl runtime) {
        this.runtime = runtime;
    }

    private JobRuntimeImpl runtime() {
        return runtime;
    }

    // ---- JobContext ----

    @Override
    public String jobId() {
        return id;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int attempt() {
        return attempt;
    }

    @Override
    public Scope<Object, List<Object>> scope() {
        return scope;
    }

    @Override
    public Progress progress() {
        return progress;
    }

    @Override
    public Optional<CancellationReason> cancellationReason() {
        return cancellationReason(cancelReason, scope);
    }

    /** A job's cancellation reason: the one requested of the job, else its attempt's scope's, if any. */
    static Optional<CancellationReason> cancellationReason(CancellationReason requested, Scope<?, ?> scope) {
        if (requested != null) {
            return Optional.of(requested);
        }
        return scope == null ? Optional.empty() : scope.cancellationReason();
    }

    @Override
    public String toString() {
        return "Job[" + id + " " + name + ", " + STATES[state] + "]";
    }

    // VarHandle mechanics
    private static final VarHandle STATE;
    private static final VarHandle REASON;

    static {
        try {
            var lookup = MethodHandles.lookup();
            STATE = lookup.findVarHandle(Job.class, "state", int.class);
            REASON = lookup.findVarHandle(Job.class, "cancelReason", CancellationReason.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
