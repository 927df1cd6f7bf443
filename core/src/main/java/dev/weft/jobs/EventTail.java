package dev.weft.jobs;

import dev.weft.internal.RuntimeThreads;
import dev.weft.jobs.spi.JobStore;
import dev.weft.jobs.spi.StoredEvent;
import dev.weft.jobs.spi.StoredJob;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * Delivers a durable store's event log to this node's subscribers: every node's events, in event id order, so
 * that each node's subscribers see the same stream whichever node wrote the events.
 */
final class EventTail {

    /*
     * Implementation notes. One thread reads the log with JobStore.eventsAfter from the id it has reached and
     * offers each event to the subscriptions. It reads when the store reports events written (a NOTIFY from any
     * node), and at least every POLL_NANOS while anyone is subscribed, so a lost notice delays events and loses
     * none. eventsAfter never passes an id that may still commit, so the order is the log's and nothing is
     * skipped. While nobody is subscribed the thread reads nothing; the first subscribe sets the position to the
     * log's end (under `lock`, so a subscriber gets every event written after its subscribe returned). If the
     * store is unreachable then, the position is `known`: the highest id this node has seen in the log (at start,
     * read by the tail, or written by this node). Ids come from one sequence, so an event written after the
     * subscribe has a higher id and is delivered; some written before it may be too. Read failures back off
     * (100 ms doubling to 5 s). Shutdown: drain(upTo) reads on until the position reaches the highest id this node wrote, or a
     * deadline.
     */

    private static final Logger LOG = LoggerFactory.getLogger(JobRuntime.class);
    private static final int BATCH = 500;
    private static final long POLL_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long MAX_BACKOFF = TimeUnit.SECONDS.toNanos(5);
    private static final long DRAIN_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final JobStore store;
    private final Subscriptions subscriptions;
    private final Function<StoredJob, JobRecord> records;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Guarded by lock: the id reached, or -1 while nobody subscribed. */
    private long position = -1;
    /** Guarded by lock: the highest event id known to be in the log, or -1. */
    private long known = -1;
    /** Guarded by lock. */
    private boolean hinted;
    /** Guarded by lock: once set, the thread reads up to drainTo (or the deadline) and ends. */
    private boolean stopping;
    /** Guarded by lock. */
    private long drainTo;
    /** Guarded by lock. */
    private long drainDeadline;
    private Thread thread;

    EventTail(JobStore store, Subscriptions subscriptions, Function<StoredJob, JobRecord> records) {
        this.store = store;
        this.subscriptions = subscriptions;
        this.records = records;
    }

    void start(String threadName) {
        try {
            known(store.lastEventId());
        } catch (RuntimeException unreachable) {
            // known stays as it is; a subscribe while the store is unreachable then waits for the log's end
        }
        thread = RuntimeThreads.startVirtual(threadName, this::loop);
    }

    /** Event {@code id} is in the log (this node wrote it). */
    void known(long id) {
        lock.lock();
        try {
            known = Math.max(known, id);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Subscribes {@code listener} from the log's current end on (or, while the store is unreachable, from the
     * last event this node knew of).
     */
    JobSubscription subscribe(JobListener listener) {
        lock.lock();
        try {
            if (position < 0 && !stopping) {
                try {
                    position = store.lastEventId();
                } catch (RuntimeException unreachable) {
                    if (known >= 0) {
                        position = known;
                    } else {
                        hinted = true; // the tail finds the log's end once it can
                    }
                    changed.signal();
                }
            }
            return subscriptions.add(listener);
        } finally {
            lock.unlock();
        }
    }

    /** Some node wrote events. */
    void eventsAvailable() {
        lock.lock();
        try {
            hinted = true;
            changed.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Delivers the events up to id {@code upTo} (or until {@code timeoutNanos} passed), then ends; waits. */
    void drain(long upTo, long timeoutNanos) {
        lock.lock();
        try {
            stopping = true;
            drainTo = upTo;
            drainDeadline = System.nanoTime() + timeoutNanos;
            changed.signal();
        } finally {
            lock.unlock();
        }
        if (thread != null) {
            RuntimeThreads.joinUninterruptibly(thread);
        }
    }

    private void loop() {
        long backoff = 0;
        long retryAt = System.nanoTime();
        long nextPoll = System.nanoTime() + POLL_NANOS;
        while (true) {
            long from;
            lock.lock();
            try {
                while (true) {
                    long now = System.nanoTime();
                    if (subscriptions.isEmpty()) {
                        known = Math.max(known, position);
                        position = -1;
                    }
                    if (stopping && (position < 0 || position >= drainTo || now - drainDeadline >= 0)) {
                        return;
                    }
                    boolean due = position < 0 ? !subscriptions.isEmpty() && !stopping // find the log's end
                            : hinted || stopping || now - nextPoll >= 0;
                    if (due && now - retryAt >= 0) {
                        break;
                    }
                    long wait = now - retryAt < 0 ? retryAt - now
                            : position >= 0 ? Math.max(nextPoll - now, 1) : POLL_NANOS;
                    try {
                        changed.awaitNanos(wait);
                    } catch (InterruptedException e) {
                        // not interrupted by the runtime; the flags say what to do
                    }
                }
                hinted = false;
                from = position;
            } finally {
                lock.unlock();
            }
            nextPoll = System.nanoTime() + POLL_NANOS;
            List<StoredEvent> events;
            try {
                if (from < 0) {
                    long end = store.lastEventId();
                    lock.lock();
                    try {
                        known = Math.max(known, end);
                        if (position < 0 && !subscriptions.isEmpty()) {
                            position = end;
                        }
                    } finally {
                        lock.unlock();
                    }
                    backoff = 0;
                    continue;
                }
                events = store.eventsAfter(from, BATCH);
                backoff = 0;
            } catch (RuntimeException e) {
                backoff = backoff == 0 ? TimeUnit.MILLISECONDS.toNanos(100) : Math.min(backoff * 2, MAX_BACKOFF);
                retryAt = System.nanoTime() + backoff;
                LOG.debug("reading the job event log failed; retrying in {} ms", backoff / 1_000_000, e);
                continue;
            }
            for (StoredEvent e : events) {
                subscriptions.offer(new JobEvent(e.id(), e.type(), records.apply(e.job())));
            }
            lock.lock();
            try {
                if (!events.isEmpty() && position == from) {
                    position = events.getLast().id();
                    known = Math.max(known, position);
                }
                if (events.size() == BATCH) {
                    hinted = true; // there may be more
                } else if (stopping && events.isEmpty()) {
                    retryAt = System.nanoTime() + DRAIN_RETRY_NANOS; // an event below drainTo is not readable yet
                }
            } finally {
                lock.unlock();
            }
        }
    }
}
