-- Weft durable jobs, schema version 3: the runs of a job that ended before a retry ran it again.
-- ${prefix} is the table prefix, as in V1.

-- A JSON array, oldest first, of {"firstAttempt", "lastAttempt", "state", "startedAt", "finishedAt", "error",
-- "reason"}; appended by a retry, which moves the job back to QUEUED under the same id.
ALTER TABLE ${prefix}jobs ADD COLUMN earlier_runs jsonb NOT NULL DEFAULT '[]';

INSERT INTO ${prefix}schema_version (version) VALUES (3);
