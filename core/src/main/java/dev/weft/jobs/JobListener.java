package dev.weft.jobs;

/**
 * Receives job events. Each subscription has its own delivery thread and its own bounded backlog, so a listener
 * never runs on the thread that caused the event and cannot slow a submit, a job or another listener: it is
 * called on its subscription's thread, one event at a time (never concurrently with itself), with the events of
 * each job in order. An exception it throws is logged and ignored.
 *
 * <p>When a listener falls behind by more than the runtime's
 * {@linkplain JobRuntime.Builder#listenerBacklog(int) listener backlog}, newer events are dropped for it (and a
 * warning logged) until it catches up; it then gets {@link #onEventsDropped(long)} with the number lost, at the
 * place in the sequence where they were, followed by the events that fitted. A listener that must not miss a
 * job's end re-reads the state it cares about ({@link JobRuntime#get}, {@link JobRuntime#list}) when told.
 */
@FunctionalInterface
public interface JobListener {

    /** One event. */
    void onEvent(JobEvent event);

    /**
     * {@code count} events, of any jobs, were dropped here because this listener's backlog was full; what was
     * delivered before and after is complete and in order. Does nothing by default.
     */
    default void onEventsDropped(long count) {
    }
}
