package dev.weft.jobs;

/** A {@link JobListener}'s registration; {@link #close()} stops delivery to it (idempotent). */
@FunctionalInterface
public interface JobSubscription extends AutoCloseable {

    @Override
    void close();
}
