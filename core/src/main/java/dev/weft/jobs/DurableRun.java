package dev.weft.jobs;

import dev.weft.internal.Nanos;
import dev.weft.progress.Progress;
import dev.weft.progress.ProgressSnapshot;
import dev.weft.scope.CancellationReason;
import dev.weft.scope.Join;
import dev.weft.scope.Retry;
import dev.weft.scope.Scope;
import dev.weft.scope.ScopeCancelledException;
import dev.weft.scope.ScopeFailedException;
import dev.weft.scope.ScopeTimeoutException;
import dev.weft.jobs.spi.AttemptEnd;
import dev.weft.jobs.spi.AttemptEnd.Outcome;
import dev.weft.jobs.spi.Lease;
import dev.weft.jobs.spi.StoredJob;
import dev.weft.time.TimeSource;
import org.slf4j.MDC;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One claimed attempt of a durable job on this node: runs the type's handler on the decoded payload in a root
 * scope, classifies how it ended, and hands the {@link AttemptEnd} to be written.
 */
final class DurableRun implements JobContext, Runnable {

    /*
     * Implementation notes.
     *
     * One attempt per claim: a failure with attempts left is written as RETRY (back to the queue with its
     * backoff as run_after), so a backoff survives a restart and the next attempt may run on any node. The job's
     * timeout over all attempts is measured on the store's clock: the claim carries startedAt (first attempt)
     * and readAt (now, at the claim), so the time left is startedAt + timeout - readAt, whatever this JVM's clock.
     *
     * `cancelReason` is CAS'd from null once; the first reason wins. SHUTDOWN ends the attempt as
     * REQUEUE_INTERRUPTED (or FAILED if the type says so), LEASE_LOST writes nothing (the store would refuse it:
     * another claim owns the job), anything else ends it CANCELLED. The runner thread is the only writer of
     * `scope` and `progress`; other threads read them to cancel, sample and report.
     */

    final StoredJob claim;
    final Lease lease;
    final JobType<?, ?> type;
    private final JobCodec codec;
    private final TimeSource time;
    private final Consumer<DurableRun> onEnd;
    final long startNanos;
    /** When it counts as stuck (time source nanos), or Long.MAX_VALUE. */
    final long stuckAtNanos;
    volatile Scope<Object, List<Object>> scope;
    volatile Progress progress;
    volatile Thread thread;
    private volatile CancellationReason cancelReason;
    /** How the attempt ended; set by the runner before onEnd, null if nothing is to be written. */
    volatile AttemptEnd end;
    /** The last snapshot handed to the store (read and written by the store thread only). */
    ProgressSnapshot lastWritten;
    /** Whether the store flagged it stuck (store thread only). */
    boolean stuckReported;

    DurableRun(StoredJob claim, JobType<?, ?> type, JobCodec codec, TimeSource time, Duration defaultExpected,
               Consumer<DurableRun> onEnd) {
        this.claim = claim;
        this.lease = claim.lease();
        this.type = type;
        this.codec = codec;
        this.time = time;
        this.onEnd = onEnd;
        this.startNanos = time.nanoTime();
        Duration expected = claim.expectedDuration() != null ? claim.expectedDuration() : defaultExpected;
        this.stuckAtNanos = expected == null ? Long.MAX_VALUE : startNanos + Nanos.of(expected);
    }

    /** Requests cancellation for {@code reason}; true if this call is the first. */
    boolean cancel(CancellationReason reason) {
        if (!REASON.compareAndSet(this, null, reason)) {
            return false;
        }
        Scope<?, ?> s = scope;
        if (s != null) {
            s.cancel(reason);
        }
        return true;
    }

    @Override
    public void run() {
        thread = Thread.currentThread();
        AttemptEnd result;
        try {
            MDC.put(JobRuntime.MDC_JOB_ID, claim.id());
            result = runAttempt();
        } catch (Throwable unexpected) {
            result = ended(Outcome.FAILED, null, JobError.of(unexpected));
        } finally {
            Thread.interrupted(); // a cancel that raced the end must not leak into the bookkeeping
        }
        end = result;
        try {
            onEnd.accept(this);
        } finally {
            MDC.remove(JobRuntime.MDC_JOB_ID);
        }
    }

    private AttemptEnd runAttempt() {
        Object payload;
        try {
            payload = codec.decode(claim.payload(), type.payloadType());
        } catch (RuntimeException e) {
            return ended(Outcome.FAILED, null, JobError.of(new IllegalArgumentException("the payload of job "
                    + claim.id() + " could not be read as " + type.payloadType().getName() + ": " + e.getMessage(), e)));
        }
        long now = time.nanoTime();
        long jobDeadline = Long.MAX_VALUE;
        if (claim.timeout() != null) {
            Duration used = Duration.between(claim.startedAt(), claim.readAt());
            long left = Nanos.of(claim.timeout()) - Nanos.of(used.isNegative() ? Duration.ZERO : used);
            if (left <= 0) {
                return timedOut();
            }
            jobDeadline = now + left;
        }
        Retry retry = type.retry();
        long deadline = jobDeadline;
        if (retry != null && retry.attemptTimeoutOrNull() != null) {
            long a = now + Nanos.of(retry.attemptTimeoutOrNull());
            if (a - deadline < 0) {
                deadline = a;
            }
        }
        Throwable failure;
        try {
            Object value = runScope(payload, deadline == Long.MAX_VALUE ? null : Duration.ofNanos(deadline - now));
            if (value != null && !type.resultType().isInstance(value)) {
                throw new ClassCastException("job type " + type.name() + " declares result type "
                        + type.resultType().getName() + " but its handler returned a " + value.getClass().getName());
            }
            CancellationReason why = cancelReason;
            if (why != null && why.kind() != CancellationReason.Kind.SHUTDOWN) {
                return cancelled(why, null); // a cancel that was accepted wins, as in memory
            }
            String encoded;
            try {
                encoded = codec.encode(value);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("the result of job " + claim.id() + " (a "
                        + value.getClass().getName() + ") could not be written: " + e.getMessage(), e);
            }
            return new AttemptEnd(lease, Outcome.SUCCEEDED, encoded, null, null, finalProgress(JobState.SUCCEEDED),
                    null);
        } catch (ScopeTimeoutException e) {
            if (deadline == jobDeadline && cancelReason == null) {
                return timedOut();
            }
            failure = e;
        } catch (ScopeCancelledException | InterruptedException e) {
            failure = e;
        } catch (ScopeFailedException e) {
            failure = e.getCause() != null && e.getSuppressed().length == 0
                    && e.taskPath() != null && e.taskPath().endsWith("#" + claim.id() + "/main") ? e.getCause() : e;
        } catch (RuntimeException | Error e) {
            failure = e;
        }
        CancellationReason why = cancelReason;
        if (why != null) {
            return cancelled(why, failure);
        }
        if (retry != null && claim.attempt() < claim.maxAttempts() && retry.retries(failure)) {
            Duration backoff;
            try {
                // the policy counts the attempts of this run; a retried job's count goes on from earlier runs
                backoff = retry.delayBefore(Math.max(2, claim.attempt() + 1 - claim.attemptsBefore()));
            } catch (ArithmeticException overflow) {
                backoff = Duration.ofNanos(Nanos.MAX_SPAN);
            }
            if (jobDeadline == Long.MAX_VALUE || jobDeadline - (time.nanoTime() + Nanos.of(backoff)) > 0) {
                return new AttemptEnd(lease, Outcome.RETRY, null, JobError.of(failure), null,
                        progressSnapshot(), backoff);
            }
        }
        return ended(Outcome.FAILED, null, JobError.of(failure));
    }

    private Object runScope(Object payload, Duration deadline) throws InterruptedException {
        var builder = Scope.named(claim.name() + "#" + claim.id()).timeSource(time);
        if (deadline != null) {
            builder.deadline(deadline.isZero() ? Duration.ofNanos(1) : deadline);
        }
        try (Scope<Object, List<Object>> s = builder.open(Join.allSuccessful())) {
            scope = s;
            progress = s.progress();
            CancellationReason why = cancelReason;
            if (why != null) {
                s.cancel(why); // cancelled before the scope was published
            }
            @SuppressWarnings("unchecked")
            JobHandler<Object, Object> handler = (JobHandler<Object, Object>) type.handler();
            var main = s.fork("main", () -> handler.run(this, payload));
            s.join();
            return main.get();
        } finally {
            scope = null;
        }
    }

    private AttemptEnd cancelled(CancellationReason why, Throwable failure) {
        return switch (why.kind()) {
            case LEASE_LOST -> null;
            case SHUTDOWN -> type.requeueOnShutdown()
                    ? new AttemptEnd(lease, Outcome.REQUEUE_INTERRUPTED, null, JobError.of(new IllegalStateException(
                            "attempt " + claim.attempt() + " was interrupted by a shutdown of node " + claim.node()
                                    + " and re-queued: " + why.detail())), null, progressSnapshot(), null)
                    : ended(Outcome.FAILED, why, JobError.of(failure));
            default -> ended(Outcome.CANCELLED, plain(why), null);
        };
    }

    private AttemptEnd timedOut() {
        return ended(Outcome.TIMED_OUT, new CancellationReason(CancellationReason.Kind.DEADLINE,
                "job " + claim.id() + " exceeded its timeout of " + claim.timeout(), null), null);
    }

    private AttemptEnd ended(Outcome outcome, CancellationReason why, JobError error) {
        JobState state = switch (outcome) {
            case SUCCEEDED -> JobState.SUCCEEDED;
            case CANCELLED -> JobState.CANCELLED;
            case TIMED_OUT -> JobState.TIMED_OUT;
            default -> JobState.FAILED;
        };
        return new AttemptEnd(lease, outcome, null, error, why, finalProgress(state), null);
    }

    private static CancellationReason plain(CancellationReason why) {
        return why.cause() == null ? why : new CancellationReason(why.kind(), why.detail(), null);
    }

    /** The attempt's live progress, or null before its scope opened. */
    ProgressSnapshot progressSnapshot() {
        Progress p = progress;
        return p == null ? null : p.snapshot();
    }

    private ProgressSnapshot finalProgress(JobState terminal) {
        ProgressSnapshot s = progressSnapshot();
        return s == null ? null : Job.ended(s, terminal, 0);
    }

    // ---- JobContext ----

    @Override
    public String jobId() {
        return claim.id();
    }

    @Override
    public String name() {
        return claim.name();
    }

    @Override
    public int attempt() {
        return claim.attempt();
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
        return Job.cancellationReason(cancelReason, scope);
    }

    @Override
    public String toString() {
        return "DurableRun[" + claim.id() + " " + claim.name() + ", attempt " + claim.attempt() + ", epoch "
                + claim.epoch() + "]";
    }

    private static final VarHandle REASON;

    static {
        try {
            REASON = MethodHandles.lookup().findVarHandle(DurableRun.class, "cancelReason", CancellationReason.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
