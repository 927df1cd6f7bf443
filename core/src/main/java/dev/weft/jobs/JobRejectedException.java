package dev.weft.jobs;

/**
 * A submission was refused: the queue is full, or the runtime is shutting down. Nothing was queued. The message
 * names the limits.
 */
public final class JobRejectedException extends RuntimeException {

    JobRejectedException(String message) {
        super(message);
    }
}
