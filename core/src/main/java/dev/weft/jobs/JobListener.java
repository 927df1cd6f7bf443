package dev.weft.jobs;

/**
 * Receives job events. Called synchronously on the thread that caused the event (a submitter, a job's thread,
 * the progress sampler), so it must be quick and must not block: hand events to a queue of your own for slow
 * work. Events of one job arrive in order; events of different jobs may interleave and arrive concurrently. An
 * exception it throws is logged and ignored.
 */
@FunctionalInterface
public interface JobListener {

    /** One event. */
    void onEvent(JobEvent event);
}
