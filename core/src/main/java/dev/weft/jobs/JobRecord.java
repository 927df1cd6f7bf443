package dev.weft.jobs;

import dev.weft.progress.ProgressSnapshot;
import dev.weft.scope.CancellationReason;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * An immutable snapshot of a job, as queries and events return it. Fields that do not apply yet are
 * {@code null}: {@code startedAt} while queued, {@code finishedAt}, {@code result} and {@code error} until the
 * job ends, {@code key} and {@code group} when not given.
 *
 * @param id                 the job's id: a UUID version 7 string, unique across runtimes, restarts and nodes, and
 *                           ordered by submission time (ids of one runtime sort in submission order)
 * @param name               the job's name
 * @param key                the business key, or null
 * @param group              the group, or null
 * @param priority           higher runs first
 * @param state              the state when the snapshot was taken
 * @param submittedAt        when it was accepted
 * @param startedAt          when the current run's first attempt was dispatched, or null while queued
 * @param finishedAt         when it reached its terminal state, or null
 * @param attempt            the current (or last) attempt: the attempts counted so far over all its runs, so 0
 *                           while queued for its first run, 1 from dispatch on, and after a
 *                           {@linkplain JobRuntime#retry(String) retry} the next attempt continues the count
 * @param maxAttempts        the highest attempt number its current run may reach: its retry policy's attempts
 *                           (1 without one) after the attempts of its earlier runs
 * @param result             {@code String.valueOf} of the value, cut to 1,000 characters, for SUCCEEDED
 * @param error              the failure, for FAILED and TIMED_OUT (and a failed last attempt)
 * @param cancellationReason why it was cancelled or timed out, for CANCELLED ({@code kind()} EXPLICIT or SHUTDOWN)
 *                           and TIMED_OUT (DEADLINE), else null; its {@code cause()} is always null
 * @param progress           the job's progress: the current (or last) attempt's counts, with a fraction that a new
 *                           attempt never moves back (it is at least the highest fraction an earlier attempt
 *                           reached); state {@code RUNNING} and not complete until the job ends, then the job's
 *                           terminal state, complete only if it SUCCEEDED; null until the first attempt has
 *                           opened its scope
 * @param stuck              whether it ran longer than its expected duration
 * @param expectedDuration   the expected duration, or null for none
 * @param stuckThreads       when {@code stuck}: the names and stacks of the job's threads when it was flagged, as
 *                           the node running it captured them (on a durable store, visible from every node); else
 *                           null
 * @param type               the name of its {@linkplain JobType job type}, or null for a job built from a body
 * @param earlierRuns        the runs that ended before {@link JobRuntime#retry(String)} ran the job again, oldest
 *                           first; empty for a job that was never retried
 * @param node               the id ({@link NodeInfo#id()}) of the node running it while it is RUNNING, else null:
 *                           in memory this runtime's node; on a durable store the node that claimed its attempt,
 *                           which holds its live scopes and its log lines
 */
public record JobRecord(String id, String name, String key, String group, int priority, JobState state,
                        Instant submittedAt, Instant startedAt, Instant finishedAt, int attempt, int maxAttempts,
                        String result, JobError error, CancellationReason cancellationReason, ProgressSnapshot progress,
                        boolean stuck, Duration expectedDuration, String stuckThreads,
                        String type, List<EarlierRun> earlierRuns, String node) {

    public JobRecord {
        earlierRuns = earlierRuns == null ? List.of() : List.copyOf(earlierRuns);
    }

    /**
     * A run of a job that ended FAILED, CANCELLED or TIMED_OUT before {@link JobRuntime#retry(String)} ran the
     * job again: its attempts were {@code firstAttempt} to {@code lastAttempt}.
     *
     * @param firstAttempt       the run's first attempt number (1 for the job's first run)
     * @param lastAttempt        the attempt the run ended in (at least {@code firstAttempt} - 1: a run cancelled
     *                           while queued made no attempt)
     * @param state              how the run ended: FAILED, CANCELLED or TIMED_OUT
     * @param startedAt          when the run's first attempt was dispatched, or null if it never ran
     * @param finishedAt         when the run ended
     * @param error              the failure it ended with, or null
     * @param cancellationReason why it was cancelled or timed out, or null
     */
    public record EarlierRun(int firstAttempt, int lastAttempt, JobState state, Instant startedAt,
                             Instant finishedAt, JobError error, CancellationReason cancellationReason) {
    }

    /** How long the job ran: from start to finish (or to {@code now} while running); null before it started. */
    public Duration duration(Instant now) {
        if (startedAt == null) {
            return null;
        }
        return Duration.between(startedAt, finishedAt != null ? finishedAt : now);
    }
}
