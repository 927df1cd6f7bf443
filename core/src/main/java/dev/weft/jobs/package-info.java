/**
 * Tracked background jobs: every job is a root scope with a record that can be observed, cancelled, bounded,
 * retained and drained at shutdown. Start at {@link dev.weft.jobs.JobRuntime}.
 */
package dev.weft.jobs;
