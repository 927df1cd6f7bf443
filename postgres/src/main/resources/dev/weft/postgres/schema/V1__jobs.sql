-- Weft durable jobs, schema version 1.
-- ${prefix} is the table prefix (default weft_). Applied by PostgresJobStore at start (migrate = true), or by
-- Flyway/Liquibase with a placeholder named "prefix". The last statement records the version.

CREATE TABLE IF NOT EXISTS ${prefix}schema_version (
    version    integer     PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE ${prefix}jobs (
    id               uuid        PRIMARY KEY,
    seq              bigserial   NOT NULL,
    type             text        NOT NULL,
    name             text        NOT NULL,
    dedupe_key       text,
    group_name       text,
    priority         integer     NOT NULL DEFAULT 0,
    state            text        NOT NULL CONSTRAINT ${prefix}jobs_state_check
                         CHECK (state IN ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED', 'TIMED_OUT')),
    payload          text,
    result           text,
    error            jsonb,
    reason           jsonb,
    cancel_requested jsonb,
    progress         jsonb,
    attempt          integer     NOT NULL DEFAULT 0,
    max_attempts     integer     NOT NULL DEFAULT 1,
    interruptions    integer     NOT NULL DEFAULT 0,
    submitted_at     timestamptz NOT NULL DEFAULT now(),
    started_at       timestamptz,
    finished_at      timestamptz,
    run_after        timestamptz NOT NULL DEFAULT now(),
    epoch            bigint      NOT NULL DEFAULT 0,
    node             text,
    lease_until      timestamptz,
    timeout_ms       bigint,
    expected_ms      bigint,
    stuck            boolean     NOT NULL DEFAULT false
);

-- De-duplication: at most one queued or running job per key. Inserts rely on it (ON CONFLICT DO NOTHING).
CREATE UNIQUE INDEX ${prefix}jobs_active_key ON ${prefix}jobs (dedupe_key)
    WHERE state IN ('QUEUED', 'RUNNING');
-- Claim order.
CREATE INDEX ${prefix}jobs_claim ON ${prefix}jobs (priority DESC, seq) WHERE state = 'QUEUED';
-- Dashboard: by state, by key, by group, newest first.
CREATE INDEX ${prefix}jobs_state ON ${prefix}jobs (state, seq DESC);
CREATE INDEX ${prefix}jobs_key ON ${prefix}jobs (dedupe_key, seq DESC) WHERE dedupe_key IS NOT NULL;
CREATE INDEX ${prefix}jobs_group ON ${prefix}jobs (group_name, state) WHERE group_name IS NOT NULL;
CREATE UNIQUE INDEX ${prefix}jobs_seq ON ${prefix}jobs (seq DESC);
-- Running jobs by node (recovery of a restarted node) and by lease (recovery of expired leases).
CREATE INDEX ${prefix}jobs_running_node ON ${prefix}jobs (node) WHERE state = 'RUNNING';
CREATE INDEX ${prefix}jobs_running_lease ON ${prefix}jobs (lease_until) WHERE state = 'RUNNING';
-- Retention: the oldest finished jobs of each terminal state.
CREATE INDEX ${prefix}jobs_finished ON ${prefix}jobs (state, finished_at)
    WHERE state IN ('SUCCEEDED', 'FAILED', 'CANCELLED', 'TIMED_OUT');

CREATE TABLE ${prefix}events (
    id     bigserial   PRIMARY KEY,
    job_id uuid        NOT NULL,
    type   text        NOT NULL,
    at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ${prefix}events_job ON ${prefix}events (job_id);

INSERT INTO ${prefix}schema_version (version) VALUES (1);
