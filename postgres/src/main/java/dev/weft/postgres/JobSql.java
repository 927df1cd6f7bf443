package dev.weft.postgres;

import dev.weft.jobs.JobQuery;

/**
 * The SQL of {@link PostgresJobStore}, for one table prefix. Every value is a bind parameter; only the prefix
 * (validated by the builder to {@code [a-z_][a-z0-9_]*}) is spliced into the text.
 *
 * <p>Each statement that changes jobs also inserts their event rows, in the same statement (a data-modifying
 * common table expression), and returns the changed rows with their events: the columns of the jobs table,
 * {@code event_id}, {@code event_type} and {@code read_at} (the database's {@code now()}).
 */
final class JobSql {

    /*
     * Implementation notes: invariants the statements keep.
     * - Fencing: every write about a running attempt matches WHERE id = x AND epoch = x AND state = 'RUNNING'; a
     *   claim increments epoch, so a stale lease matches no row, and its row is neither changed nor returned.
     * - A claim is one statement: SELECT ... FOR UPDATE SKIP LOCKED picks rows no other claimer holds, in
     *   (priority DESC, seq) order, and the UPDATE in the same statement moves them to RUNNING. Concurrent
     *   claimers therefore never take the same row, and nobody waits for a lock.
     * - Batches are set-based: the per-job values travel as parallel arrays and are joined with unnest(), so a
     *   batch of N is one statement and one round trip whatever N is.
     * - Durations arrive as saturated milliseconds (JobRows.millis) and become intervals in SQL, so no
     *   Duration can overflow a timestamp.
     * - Event rows are inserted by the same statement that changes the job, so an event exists exactly when its
     *   change committed. The event's id is drawn (nextval of the events' sequence) in the RETURNING list of the
     *   change, and the event row is inserted from those rows, so the result needs no join of jobs to events.
     * - Wake-ups ride in the same statement: pg_notify in the select list runs once per returned row that needs
     *   it (a created job, a re-queued job, a recorded cancel request). PostgreSQL delivers notices only at
     *   commit, and folds identical ones of one transaction into one, so listeners get one notice per commit
     *   and none for a rolled-back change, without a round trip of its own.
     */

    private final String p;

    final String insert;
    final String holders;
    final String claim;
    final String claimCapped;
    final String lockCappedClaims;
    final String endAttempts;
    final String writeProgress;
    final String markStuck;
    final String renew;
    final String recoverNode;
    final String recoverExpired;
    final String recoverDeparted;
    final String declareSameNameDead;
    final String registerNode;
    final String beat;
    final String isAlive;
    final String declareDead;
    final String purgeNodes;
    final String leave;
    final String nodes;
    final String lastEventId;
    final String cancelQueued;
    final String cancelRunning;
    final String stateOf;
    final String retry;
    final String keyHolder;
    final String deleteFinished;
    final String find;
    final String counts;
    final String eventsAfter;
    final String purge;

    JobSql(String prefix) {
        this.p = prefix;
        String jobs = p + "jobs";
        String events = p + "events";
        String nodesTable = p + "nodes";
        // a node declared dead (or departed) claims nothing: its claims would be recovered at once
        String claimerAlive = "NOT EXISTS (SELECT 1 FROM " + nodesTable + " n WHERE n.id = ? AND n.state <> 'ALIVE')";

        insert = """
                WITH x AS (
                    SELECT * FROM unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::text[], ?::int[], ?::text[],
                                         ?::int[], ?::bigint[], ?::bigint[]) WITH ORDINALITY
                        AS x(id, type, name, dedupe_key, group_name, priority, payload, max_attempts, timeout_ms,
                             expected_ms, ord)
                ), i AS (
                    INSERT INTO %1$s (id, type, name, dedupe_key, group_name, priority, state, payload, max_attempts,
                                      timeout_ms, expected_ms, submitted_at, run_after)
                    SELECT id, type, name, dedupe_key, group_name, priority, 'QUEUED', payload, max_attempts,
                           timeout_ms, expected_ms, now(), now()
                    FROM x ORDER BY ord
                    ON CONFLICT (dedupe_key) WHERE state IN ('QUEUED', 'RUNNING') DO NOTHING
                    RETURNING *, nextval('%2$s_id_seq') AS event_id, 'SUBMITTED' AS event_type
                ), e AS (
                    INSERT INTO %2$s (id, job_id, type, at) SELECT event_id, id, event_type, now() FROM i
                )
                SELECT i.*, now() AS read_at, pg_notify(?, '') AS notified, pg_notify(?, '') AS events_notified
                FROM i
                """.formatted(jobs, events);

        holders = """
                SELECT j.*, 0::bigint AS event_id, 'SUBMITTED' AS event_type, now() AS read_at FROM %s j
                WHERE j.dedupe_key = ANY(?::text[]) AND j.state IN ('QUEUED', 'RUNNING')
                """.formatted(jobs);

        // binds: types[], claimer id (alive check), max, claimer id, lease ms, events channel
        claim = claimStatement(jobs, events, """
                    SELECT id FROM %1$s
                    WHERE state = 'QUEUED' AND run_after <= now() AND type = ANY(?::text[]) AND %2$s
                    ORDER BY priority DESC, seq
                    LIMIT ?
                    FOR UPDATE SKIP LOCKED
                """.formatted(jobs, claimerAlive));

        // Group caps over every node. Run after lockCappedClaims in the same transaction, so capped claims are
        // serial across nodes and `running` counts every committed claim. Candidates skip groups at their cap,
        // and are then cut per group to the room the group has left.
        // binds: types[], claimer id, max per group, window, max per group, max, claimer id, lease ms, channel
        claimCapped = claimStatement(jobs, events, """
                    WITH running AS (
                        SELECT group_name, count(*) AS n FROM %1$s
                        WHERE state = 'RUNNING' AND group_name IS NOT NULL GROUP BY group_name
                    ), cand AS (
                        SELECT j.id, j.group_name, j.priority, j.seq FROM %1$s j
                        WHERE j.state = 'QUEUED' AND j.run_after <= now() AND j.type = ANY(?::text[]) AND %2$s
                          AND (j.group_name IS NULL
                               OR j.group_name NOT IN (SELECT group_name FROM running WHERE n >= ?))
                        ORDER BY j.priority DESC, j.seq
                        LIMIT ?
                        FOR UPDATE OF j SKIP LOCKED
                    ), ranked AS (
                        SELECT cand.*, row_number() OVER (PARTITION BY cand.group_name
                                                          ORDER BY cand.priority DESC, cand.seq) AS rn
                        FROM cand
                    )
                    SELECT r.id FROM ranked r LEFT JOIN running ru ON ru.group_name = r.group_name
                    WHERE r.group_name IS NULL OR r.rn + coalesce(ru.n, 0) <= ?
                    ORDER BY r.priority DESC, r.seq
                    LIMIT ?
                """.formatted(jobs, claimerAlive));
        lockCappedClaims = "SELECT pg_advisory_xact_lock(hashtextextended('weft capped claims ' || ?, 0))";

        // A cancellation requested while the attempt ran wins over how it ended, so a cancel() that returned true
        // always ends the job CANCELLED. It is read from j, the row being updated, not from a join: under a
        // concurrent cancel the UPDATE re-reads j once the cancel commits, a joined snapshot would not.
        endAttempts = """
                WITH x AS (
                    SELECT * FROM unnest(?::uuid[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[],
                                         ?::text[], ?::bigint[])
                        AS x(id, epoch, outcome, result, error, reason, progress, retry_ms)
                ), u AS (
                    UPDATE %1$s j SET
                        state = CASE WHEN j.cancel_requested IS NOT NULL THEN 'CANCELLED'
                                     WHEN x.outcome IN ('RETRY', 'REQUEUE_INTERRUPTED') THEN 'QUEUED'
                                     ELSE x.outcome END,
                        finished_at = CASE WHEN j.cancel_requested IS NULL
                                                AND x.outcome IN ('RETRY', 'REQUEUE_INTERRUPTED') THEN NULL
                                           ELSE now() END,
                        run_after = CASE WHEN j.cancel_requested IS NOT NULL THEN j.run_after
                                         WHEN x.outcome = 'RETRY' THEN now() + x.retry_ms * interval '1 millisecond'
                                         WHEN x.outcome = 'REQUEUE_INTERRUPTED' THEN now()
                                         ELSE j.run_after END,
                        attempt = CASE WHEN j.cancel_requested IS NULL AND x.outcome = 'REQUEUE_INTERRUPTED'
                                       THEN j.attempt - 1 ELSE j.attempt END,
                        interruptions = CASE WHEN j.cancel_requested IS NULL AND x.outcome = 'REQUEUE_INTERRUPTED'
                                             THEN j.interruptions + 1 ELSE j.interruptions END,
                        result = CASE WHEN j.cancel_requested IS NULL AND x.outcome = 'SUCCEEDED' THEN x.result END,
                        error = x.error::jsonb,
                        reason = coalesce(j.cancel_requested, x.reason::jsonb),
                        progress = coalesce(x.progress::jsonb, j.progress),
                        node = NULL,
                        lease_until = NULL
                    FROM x WHERE j.id = x.id AND j.epoch = x.epoch AND j.state = 'RUNNING'
                    RETURNING j.*, nextval('%2$s_id_seq') AS event_id,
                              CASE WHEN j.state = 'QUEUED' THEN 'PROGRESS' ELSE 'FINISHED' END AS event_type
                ), e AS (
                    INSERT INTO %2$s (id, job_id, type, at) SELECT event_id, id, event_type, now() FROM u
                )
                SELECT u.*, now() AS read_at,
                       CASE WHEN u.state = 'QUEUED' THEN pg_notify(?, '') END AS notified,
                       pg_notify(?, '') AS events_notified
                FROM u
                ORDER BY u.event_id
                """.formatted(jobs, events);

        writeProgress = """
                WITH x AS (
                    SELECT * FROM unnest(?::uuid[], ?::bigint[], ?::text[]) AS x(id, epoch, progress)
                ), u AS (
                    UPDATE %1$s j SET progress = x.progress::jsonb
                    FROM x WHERE j.id = x.id AND j.epoch = x.epoch AND j.state = 'RUNNING'
                    RETURNING j.*, nextval('%2$s_id_seq') AS event_id, 'PROGRESS' AS event_type
                ), e AS (
                    INSERT INTO %2$s (id, job_id, type, at) SELECT event_id, id, event_type, now() FROM u
                )
                SELECT u.*, now() AS read_at, pg_notify(?, '') AS events_notified
                FROM u
                ORDER BY u.event_id
                """.formatted(jobs, events);

        markStuck = """
                WITH u AS (
                    UPDATE %1$s j SET stuck = true, stuck_threads = ?
                    WHERE j.id = ? AND j.epoch = ? AND j.state = 'RUNNING'
                    RETURNING j.*, nextval('%2$s_id_seq') AS event_id, 'STUCK' AS event_type
                ), e AS (
                    INSERT INTO %2$s (id, job_id, type, at) SELECT event_id, id, event_type, now() FROM u
                )
                SELECT u.*, now() AS read_at, pg_notify(?, '') AS events_notified
                FROM u
                """.formatted(jobs, events);

        renew = """
                WITH x AS (
                    SELECT * FROM unnest(?::uuid[], ?::bigint[]) AS x(id, epoch)
                )
                UPDATE %s j SET lease_until = now() + ? * interval '1 millisecond'
                FROM x WHERE j.id = x.id AND j.epoch = x.epoch AND j.state = 'RUNNING' AND j.node = ?
                RETURNING j.id, j.epoch, j.cancel_requested
                """.formatted(jobs);

        // a job whose cancellation was requested ends CANCELLED, never re-queued: the cancel was accepted
        String recover = """
                WITH u AS (
                    UPDATE %1$s j SET
                        state = CASE WHEN j.cancel_requested IS NOT NULL THEN 'CANCELLED'
                                     WHEN j.attempt < j.max_attempts THEN 'QUEUED' ELSE 'FAILED' END,
                        run_after = CASE WHEN j.cancel_requested IS NULL AND j.attempt < j.max_attempts THEN now()
                                         ELSE j.run_after END,
                        finished_at = CASE WHEN j.cancel_requested IS NULL AND j.attempt < j.max_attempts THEN NULL
                                           ELSE now() END,
                        reason = j.cancel_requested,
                        interruptions = j.interruptions + 1,
                        error = jsonb_build_object(
                            'type', 'NODE_LOST',
                            'message', format('attempt %%s was interrupted on node %%s: the node stopped without '
                                              || 'ending it (%%s)', j.attempt,
                                              coalesce((SELECT n.name FROM %4$s n WHERE n.id = j.node), j.node, '?'),
                                              ?::text),
                            'stackTrace', NULL),
                        node = NULL,
                        lease_until = NULL
                    WHERE j.state = 'RUNNING' AND %3$s
                    RETURNING j.*, nextval('%2$s_id_seq') AS event_id,
                              CASE WHEN j.state = 'QUEUED' THEN 'PROGRESS' ELSE 'FINISHED' END AS event_type
                ), e AS (
                    INSERT INTO %2$s (id, job_id, type, at) SELECT event_id, id, event_type, now() FROM u
                )
                SELECT u.*, now() AS read_at,
                       CASE WHEN u.state = 'QUEUED' THEN pg_notify(?, '') END AS notified,
                       pg_notify(?, '') AS events_notified
                FROM u
                ORDER BY u.seq
                """;
        recoverNode = recover.formatted(jobs, events, "j.node = ?", nodesTable);
        recoverExpired = recover.formatted(jobs, events, "j.lease_until < now()", nodesTable);
        recoverDeparted = recover.formatted(jobs, events, """
                j.id IN (SELECT d.id FROM %1$s d
                         WHERE d.state = 'RUNNING'
                           AND d.node IN (SELECT n.id FROM %2$s n WHERE n.state <> 'ALIVE')
                         FOR UPDATE OF d SKIP LOCKED)""".formatted(jobs, nodesTable), nodesTable);

        // binds: name, id
        declareSameNameDead = "UPDATE " + nodesTable + " SET state = 'DEAD' WHERE name = ? AND state = 'ALIVE' "
                + "AND id <> ? RETURNING *, now() AS read_at";
        // binds: id, name, version
        registerNode = "INSERT INTO " + nodesTable + " (id, name, version, started_at, heartbeat_at, state) "
                + "VALUES (?, ?, ?, now(), now(), 'ALIVE') RETURNING *, now() AS read_at";
        // binds: running, queued, id
        beat = "UPDATE " + nodesTable + " SET heartbeat_at = now(), running = ?, queued = ? "
                + "WHERE id = ? AND state = 'ALIVE' RETURNING id";
        // binds: id
        isAlive = "SELECT 1 FROM " + nodesTable + " WHERE id = ? AND state = 'ALIVE'";
        // binds: dead-after ms
        declareDead = "UPDATE " + nodesTable + " SET state = 'DEAD' WHERE state = 'ALIVE' "
                + "AND heartbeat_at < now() - ? * interval '1 millisecond' RETURNING *, now() AS read_at";
        // departed nodes stay listed for an hour, and until no job names them
        purgeNodes = "DELETE FROM " + nodesTable + " n WHERE n.state <> 'ALIVE' "
                + "AND n.heartbeat_at < now() - interval '1 hour' "
                + "AND NOT EXISTS (SELECT 1 FROM " + jobs + " j WHERE j.state = 'RUNNING' AND j.node = n.id)";
        // binds: id
        leave = "UPDATE " + nodesTable + " SET state = 'LEFT' WHERE id = ? AND state = 'ALIVE'";
        nodes = "SELECT n.*, now() AS read_at FROM " + nodesTable + " n ORDER BY n.started_at, n.id";
        lastEventId = "SELECT coalesce(max(id), 0) FROM " + events;

        cancelQueued = """
                WITH u AS (
                    UPDATE %1$s j SET state = 'CANCELLED', finished_at = now(), reason = ?::jsonb
                    WHERE j.id = ? AND j.state = 'QUEUED'
                    RETURNING j.*, nextval('%2$s_id_seq') AS event_id, 'FINISHED' AS event_type
                ), e AS (
                    INSERT INTO %2$s (id, job_id, type, at) SELECT event_id, id, event_type, now() FROM u
                )
                SELECT u.*, now() AS read_at, pg_notify(?, '') AS events_notified
                FROM u
                """.formatted(jobs, events);

        cancelRunning = """
                UPDATE %s j SET cancel_requested = ?::jsonb
                WHERE j.id = ? AND j.state = 'RUNNING' AND j.cancel_requested IS NULL
                RETURNING j.node, pg_notify(?, j.id::text || ?) AS notified
                """.formatted(jobs);

        stateOf = "SELECT state FROM " + jobs + " WHERE id = ?";

        // binds: attempts per run, id, work channel, events channel. The SET list reads the row as it was (the
        // ended run); the epoch is kept, so the next claim's is higher than any earlier claim's. Racing retries
        // queue on the row lock, and the loser re-checks the WHERE against the winner's QUEUED row: no row.
        retry = """
                WITH u AS (
                    UPDATE %1$s j SET
                        state = 'QUEUED',
                        earlier_runs = j.earlier_runs || jsonb_build_array(jsonb_build_object(
                            'firstAttempt', coalesce((j.earlier_runs -> -1 ->> 'lastAttempt')::int, 0) + 1,
                            'lastAttempt', j.attempt, 'state', j.state, 'startedAt', j.started_at,
                            'finishedAt', j.finished_at, 'error', j.error, 'reason', j.reason)),
                        max_attempts = least(j.attempt::bigint + ?, 2147483647)::int,
                        result = NULL, error = NULL, reason = NULL, cancel_requested = NULL, progress = NULL,
                        started_at = NULL, finished_at = NULL, run_after = now(), node = NULL, lease_until = NULL,
                        stuck = false, stuck_threads = NULL
                    WHERE j.id = ? AND j.state IN ('FAILED', 'CANCELLED', 'TIMED_OUT')
                    RETURNING j.*, nextval('%2$s_id_seq') AS event_id, 'SUBMITTED' AS event_type
                ), e AS (
                    INSERT INTO %2$s (id, job_id, type, at) SELECT event_id, id, event_type, now() FROM u
                )
                SELECT u.*, now() AS read_at, pg_notify(?, '') AS notified, pg_notify(?, '') AS events_notified
                FROM u
                """.formatted(jobs, events);

        // binds: id; the queued or running job holding the key of job id (another one), if any
        keyHolder = """
                SELECT h.id FROM %1$s j JOIN %1$s h ON h.dedupe_key = j.dedupe_key
                WHERE j.id = ? AND h.id <> j.id AND h.state IN ('QUEUED', 'RUNNING')
                """.formatted(jobs);

        // binds: id, id; answers the job's state (no row: no such job) and whether it was deleted
        deleteFinished = """
                WITH j AS (
                    SELECT id, state FROM %1$s WHERE id = ?
                ), d AS (
                    DELETE FROM %1$s WHERE id = ? AND state IN ('SUCCEEDED', 'FAILED', 'CANCELLED', 'TIMED_OUT')
                    RETURNING id
                ), e AS (
                    DELETE FROM %2$s WHERE job_id IN (SELECT id FROM d)
                )
                SELECT j.state, EXISTS (SELECT 1 FROM d) AS deleted FROM j
                """.formatted(jobs, events);

        find = "SELECT j.*, now() AS read_at FROM " + jobs + " j WHERE j.id = ?";

        counts = "SELECT state, count(*) FROM " + jobs + " GROUP BY state";

        eventsAfter = """
                SELECT j.*, e.id AS event_id, e.type AS event_type, now() AS read_at,
                       e.at > now() - ? * interval '1 millisecond' AS recent
                FROM %2$s e JOIN %1$s j ON j.id = e.job_id
                WHERE e.id > ?
                ORDER BY e.id
                LIMIT ?
                """.formatted(jobs, events);

        // Per terminal state: the too-old ones (oldest first) and the ones beyond the count (newest kept), each
        // branch cut to maxRows on its index range, so the whole statement touches at most 8 * maxRows index
        // entries however many rows are due; the union removes a job found by both branches.
        String branch = """
                (SELECT id FROM %1$s WHERE state = '%2$s' AND finished_at < now() - ? * interval '1 millisecond'
                 ORDER BY finished_at LIMIT ?)
                UNION
                (SELECT id FROM %1$s WHERE state = '%2$s' ORDER BY finished_at DESC OFFSET ? LIMIT ?)
                """;
        String doomed = String.join("UNION\n",
                branch.formatted(jobs, "SUCCEEDED"), branch.formatted(jobs, "FAILED"),
                branch.formatted(jobs, "CANCELLED"), branch.formatted(jobs, "TIMED_OUT"));
        purge = """
                WITH d AS MATERIALIZED (
                    SELECT id FROM (%3$s) all_doomed LIMIT ?
                ), ev AS (
                    DELETE FROM %2$s WHERE job_id IN (SELECT id FROM d)
                )
                DELETE FROM %1$s WHERE id IN (SELECT id FROM d)
                  AND state IN ('SUCCEEDED', 'FAILED', 'CANCELLED', 'TIMED_OUT')
                """.formatted(jobs, events, doomed);
    }

    /**
     * A claim: {@code pick} selects the ids to claim (locked FOR UPDATE SKIP LOCKED); they become RUNNING for the
     * claimer with a new epoch and a STARTED event. Binds after pick's: claimer id, lease ms, events channel.
     */
    private static String claimStatement(String jobs, String events, String pick) {
        return """
                WITH c AS (
                %3$s
                ), u AS (
                    UPDATE %1$s j SET state = 'RUNNING', attempt = j.attempt + 1, epoch = j.epoch + 1, node = ?,
                                      lease_until = now() + ? * interval '1 millisecond',
                                      started_at = coalesce(j.started_at, now()), cancel_requested = NULL,
                                      stuck = false, stuck_threads = NULL
                    FROM c WHERE j.id = c.id
                    RETURNING j.*, nextval('%2$s_id_seq') AS event_id, 'STARTED' AS event_type
                ), e AS (
                    INSERT INTO %2$s (id, job_id, type, at) SELECT event_id, id, event_type, now() FROM u
                )
                SELECT u.*, now() AS read_at, pg_notify(?, '') AS events_notified
                FROM u
                ORDER BY u.priority DESC, u.seq
                """.formatted(jobs, events, pick);
    }

    /** The channel that wakes claimers. */
    String workChannel() {
        return p + "work";
    }

    /** The channel that tells readers of the event log that events were written. */
    String eventsChannel() {
        return p + "events";
    }

    /** The channel that carries cancellation requests (payload: the job's id). */
    String cancelChannel() {
        return p + "cancel";
    }

    /**
     * A page of jobs, newest first, filtered by the non-null parts of {@code q} (bind: states[], name, key, group,
     * type, three times the search pattern, offset, limit).
     */
    String list(JobQuery q) {
        return "SELECT j.*, now() AS read_at FROM " + p + "jobs j" + where(q) + " ORDER BY j.seq DESC OFFSET ? LIMIT ?";
    }

    /** How many jobs the filter of {@link #list} matches. */
    String count(JobQuery q) {
        return "SELECT count(*) FROM " + p + "jobs j" + where(q);
    }

    private static String where(JobQuery q) {
        StringBuilder sb = new StringBuilder();
        if (!q.states().isEmpty()) {
            sb.append(" AND j.state = ANY(?::text[])");
        }
        if (q.name() != null) {
            sb.append(" AND j.name = ?");
        }
        if (q.key() != null) {
            sb.append(" AND j.dedupe_key = ?");
        }
        if (q.group() != null) {
            sb.append(" AND j.group_name = ?");
        }
        if (q.type() != null) {
            sb.append(" AND j.type = ?");
        }
        if (q.search() != null) {
            sb.append(" AND (j.name ILIKE ? ESCAPE '\\' OR j.dedupe_key ILIKE ? ESCAPE '\\'"
                    + " OR j.id::text ILIKE ? ESCAPE '\\')");
        }
        return sb.isEmpty() ? "" : " WHERE" + sb.substring(4);
    }
}
