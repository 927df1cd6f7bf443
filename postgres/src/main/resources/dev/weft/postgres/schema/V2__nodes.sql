-- Weft durable jobs, schema version 2: nodes (runtimes sharing the store) and the threads of stuck jobs.
-- ${prefix} is the table prefix, as in V1.

CREATE TABLE ${prefix}nodes (
    id           text        PRIMARY KEY,
    name         text        NOT NULL,
    version      text        NOT NULL,
    started_at   timestamptz NOT NULL DEFAULT now(),
    heartbeat_at timestamptz NOT NULL DEFAULT now(),
    state        text        NOT NULL CONSTRAINT ${prefix}nodes_state_check CHECK (state IN ('ALIVE', 'LEFT', 'DEAD')),
    running      integer     NOT NULL DEFAULT 0,
    queued       bigint      NOT NULL DEFAULT 0
);
-- Death checks: the live nodes by heartbeat.
CREATE INDEX ${prefix}nodes_alive ON ${prefix}nodes (heartbeat_at) WHERE state = 'ALIVE';

-- The stack of a job flagged stuck, captured by the node running it.
ALTER TABLE ${prefix}jobs ADD COLUMN stuck_threads text;

INSERT INTO ${prefix}schema_version (version) VALUES (2);
