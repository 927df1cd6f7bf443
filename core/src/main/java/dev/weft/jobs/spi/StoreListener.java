package dev.weft.jobs.spi;

/**
 * What a store tells its runtime of other connections' doings. Called on a thread of the store; must return
 * quickly.
 */
public interface StoreListener {

    /** Jobs were submitted (or became due): idle runners should claim. */
    void workAvailable();

    /** A cancellation of job {@code jobId} was requested, on any node. */
    void cancelRequested(String jobId);

    /**
     * A cancellation of job {@code jobId} was requested, on any node, for {@code reason} (carried by the notice,
     * so the node running the job can cancel it without reading the store). The default passes the id on.
     */
    default void cancelRequested(String jobId, dev.weft.scope.CancellationReason reason) {
        cancelRequested(jobId);
    }

    /** Events were written, on any node: readers of the event log should read on. */
    default void eventsAvailable() {
    }

    /** Whether the store is reachable, on every change: false when lost, true when back. */
    void reachable(boolean up, String detail);
}
