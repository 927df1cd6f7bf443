package dev.weft.jobs;

import dev.weft.progress.ProgressSnapshot;
import dev.weft.scope.CancellationReason;

import java.time.Duration;
import java.time.Instant;

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
 * @param startedAt          when it was dispatched to run (its first attempt), or null while queued
 * @param finishedAt         when it reached its terminal state, or null
 * @param attempt            the current (or last) attempt: 0 while queued, 1 from dispatch on
 * @param maxAttempts        how many attempts its retry policy allows (1 without one)
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
 * @param retryOf            the id of the job that {@link JobRuntime#retry(String)} made this one a retry of, or null
 */
public record JobRecord(String id, String name, String key, String group, int priority, JobState state,
                        Instant submittedAt, Instant startedAt, Instant finishedAt, int attempt, int maxAttempts,
                        String result, JobError error, CancellationReason cancellationReason, ProgressSnapshot progress,
                        boolean stuck, Duration expectedDuration, String stuckThreads,
                        String type, String retryOf) {

    /** How long the job ran: from start to finish (or to {@code now} while running); null before it started. */
    public Duration duration(Instant now) {
        if (startedAt == null) {
            return null;
        }
        return Duration.between(startedAt, finishedAt != null ? finishedAt : now);
    }
}
