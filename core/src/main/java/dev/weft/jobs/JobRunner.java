package dev.weft.jobs;

import dev.weft.progress.Progress;
import dev.weft.scope.Join;
import dev.weft.scope.Scope;
import dev.weft.scope.ScopeCancelledException;
import dev.weft.scope.ScopeFailedException;
import dev.weft.scope.ScopeTimeoutException;
import dev.weft.time.TimeSource;
import org.slf4j.MDC;

import java.time.Duration;
import java.util.List;

/**
 * Runs one job on its runner thread: attempts in root scopes, retries with backoff, the timeout over all
 * attempts, and the classification of how it ended.
 */
final class JobRunner<T> implements Runnable {

    /*
     * Implementation notes: the runner thread owns each attempt's scope and only joins it; the body runs as the
     * scope's first task ("main"), so the job's deadline and cancellation interrupt the body itself, not just
     * the tasks it forks. The body forks more work into ctx.scope() (a task forking into its own scope). The
     * attempt's deadline is the job's remaining timeout, tightened by the retry policy's attempt timeout; when
     * the job's own timeout is the one that passed, the job is TIMED_OUT, otherwise the attempt failed with a
     * timeout and may be retried.
     */

    private final JobRuntimeImpl runtime;
    private final Job<T> job;
    private final TimeSource time;

    JobRunner(JobRuntimeImpl runtime, Job<T> job) {
        this.runtime = runtime;
        this.job = job;
        this.time = runtime.time;
    }

    @Override
    public void run() {
        long startNanos = 0;
        int terminal = Job.FAILED;
        try {
            job.runner = Thread.currentThread();
            JobRuntimeImpl.guarded(job, "set the MDC", () -> MDC.put(JobRuntime.MDC_JOB_ID, job.id));
            startNanos = time.nanoTime();
            JobRuntimeImpl.guarded(job, "report its start", () -> runtime.jobStarted(job));
            terminal = attempts(startNanos);
        } catch (Throwable unexpected) {
            JobRuntimeImpl.guarded(job, "record its failure", () -> job.recordFailure(unexpected));
            terminal = job.cancelReason != null ? Job.CANCELLED : Job.FAILED;
        } finally {
            try {
                Thread.interrupted(); // a cancel that raced the end must not leak into the runtime's bookkeeping
                // logs the end: keep the MDC until after
                runtime.jobEnded(job, terminal, time.nanoTime() - startNanos);
            } finally {
                try {
                    MDC.remove(JobRuntime.MDC_JOB_ID);
                } catch (Throwable ignored) {
                    // the runner returns anyway
                } finally {
                    runtime.runnerReturning(job); // last: a shutdown may return as soon as it has run
                }
            }
        }
    }

    private int attempts(long startNanos) {
        int maxAttempts = job.retry == null ? 1 : job.retry.maxAttempts();
        long jobDeadline = job.timeout == null ? Long.MAX_VALUE : startNanos + saturated(job.timeout);
        // `attempt` counts this run's attempts (the policy's view); the job's count goes on from earlier runs
        for (int attempt = 1; ; attempt++) {
            job.attempt = job.attemptsBefore + attempt;
            if (job.cancelReason != null) {
                return Job.CANCELLED;
            }
            long now = time.nanoTime();
            if (jobDeadline != Long.MAX_VALUE && jobDeadline - now <= 0) {
                return Job.TIMED_OUT;
            }
            long attemptDeadline = jobDeadline;
            if (job.retry != null && job.retry.attemptTimeoutOrNull() != null) {
                long a = now + saturated(job.retry.attemptTimeoutOrNull());
                if (a - attemptDeadline < 0) {
                    attemptDeadline = a;
                }
            }
            Throwable failure;
            try {
                T value = runAttempt(job.attempt, attemptDeadline == Long.MAX_VALUE ? null : Duration.ofNanos(attemptDeadline - now));
                if (value != null && job.resultType != null && !job.resultType.isInstance(value)) {
                    throw new ClassCastException("job " + job.id + " (" + job.name + ") declared result type "
                            + job.resultType.getName() + " but its body returned a " + value.getClass().getName());
                }
                job.recordValue(value);
                return Job.SUCCEEDED;
            } catch (ScopeTimeoutException e) {
                if (attemptDeadline == jobDeadline) {
                    job.recordFailure(e);
                    return Job.TIMED_OUT;
                }
                failure = e;
            } catch (ScopeCancelledException | InterruptedException e) {
                if (job.cancelReason != null) {
                    return Job.CANCELLED;
                }
                failure = e;
            } catch (ScopeFailedException e) {
                // the body's own exception is the job's failure; a forked task's keeps the path naming it
                failure = e.getCause() != null && e.getSuppressed().length == 0
                        && e.taskPath() != null && e.taskPath().endsWith("#" + job.id + "/main") ? e.getCause() : e;
            } catch (RuntimeException | Error e) {
                failure = e;
            }
            job.recordFailure(failure);
            if (job.cancelReason != null) {
                return Job.CANCELLED;
            }
            if (attempt >= maxAttempts || !job.retry.retries(failure)) {
                return Job.FAILED;
            }
            long wakeAt = time.nanoTime() + saturated(delayBefore(attempt + 1));
            if (jobDeadline != Long.MAX_VALUE && jobDeadline - wakeAt <= 0) {
                return Job.FAILED; // another attempt cannot start before the job's timeout
            }
            try {
                job.inBackoff = true;
                if (job.cancelReason != null) {
                    return Job.CANCELLED;
                }
                time.sleepUntil(wakeAt);
            } catch (InterruptedException e) {
                return job.cancelReason != null ? Job.CANCELLED : Job.FAILED;
            } finally {
                job.inBackoff = false;
            }
        }
    }

    private T runAttempt(int attempt, Duration deadline) throws InterruptedException {
        var builder = Scope.named(job.name + "#" + job.id).timeSource(time);
        if (deadline != null) {
            builder.deadline(deadline.isZero() ? Duration.ofNanos(1) : deadline);
        }
        try (Scope<Object, List<Object>> scope = builder.open(Join.allSuccessful())) {
            job.scope = scope;
            job.progress = scope.progress();
            runtime.attemptStarted(job, attempt);
            if (job.cancelReason != null) {
                scope.cancel(job.cancelReason); // cancelled between the check and the publication of the scope
            }
            JobBody<T> body = job.body;
            var main = scope.fork("main", () -> body.run(job));
            scope.join();
            @SuppressWarnings("unchecked")
            T value = (T) main.get();
            return value;
        } finally {
            job.scope = null;
            Progress ended = job.progress; // the attempt's node, ended by the scope's close
            if (ended != null) {
                job.attemptsFraction = Math.max(job.attemptsFraction, ended.fraction());
            }
        }
    }

    /** The retry policy's backoff before {@code attempt}; a backoff too long to compute is the longest span. */
    private Duration delayBefore(int attempt) {
        try {
            return job.retry.delayBefore(attempt);
        } catch (ArithmeticException overflow) {
            return Duration.ofNanos(dev.weft.internal.Nanos.MAX_SPAN);
        }
    }

    private static long saturated(Duration d) {
        return dev.weft.internal.Nanos.of(d);
    }
}
