package dev.weft.jobs;

/**
 * A {@link JobListener}'s registration. {@link #close()} stops delivery to it: when it returns, the listener is not
 * running and is never called again, and the events still in its backlog are discarded. Called from the listener
 * itself, it returns at once and no further event is delivered. Idempotent.
 */
@FunctionalInterface
public interface JobSubscription extends AutoCloseable {

    @Override
    void close();
}
