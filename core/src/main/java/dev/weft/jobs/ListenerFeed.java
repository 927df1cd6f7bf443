package dev.weft.jobs;

import dev.weft.internal.RuntimeThreads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One subscription: a bounded backlog of events and the virtual thread that hands them to the listener, one at a
 * time, in the order they were offered.
 */
final class ListenerFeed implements JobSubscription {

    /*
     * Implementation notes.
     *
     * Emitters (a submitter under the admission lock, a runner, a canceller, the progress sampler, a stuck timer,
     * each under the job's monitor) call offer(), which takes only this feed's lock for an O(1) append and a
     * signal: no emitter ever waits for a listener. One delivery thread per feed takes entries in FIFO order and
     * calls the listener outside the lock. A job's events are offered in order (under the job's monitor) and
     * delivered in FIFO order by one thread, so they reach the listener in order, never concurrently.
     *
     * Overflow: the backlog holds at most `capacity` events. An event offered to a full backlog is dropped and
     * counted in `dropped`. The next event that fits is preceded by a Gap entry carrying that count (a Gap may
     * take the backlog one entry past capacity), and the listener gets onEventsDropped(n) exactly where the lost
     * events would have been. Memory per feed is therefore O(capacity) whatever the listener's speed.
     *
     * Ending: close() (unsubscribe) discards the backlog and, unless called by the delivery thread itself, joins
     * it, so when it returns the listener is not running and is never called again. drain() (runtime shutdown)
     * lets the thread deliver what is queued and then joins it. Both stop offers from queueing anything more.
     * States of `phase`: OPEN -> DRAINING -> ENDED, or OPEN/DRAINING -> ENDED by close().
     */

    private static final Logger LOG = LoggerFactory.getLogger(JobRuntime.class);
    private static final int OPEN = 0, DRAINING = 1, ENDED = 2;

    /** Stands in the backlog for {@code count} events that did not fit. */
    private record Gap(long count) {
    }

    private final JobListener listener;
    private final int capacity;
    private final Runnable onClose;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Guarded by lock: JobEvent and Gap entries, oldest first. */
    private final ArrayDeque<Object> backlog = new ArrayDeque<>();
    /** Guarded by lock: events dropped since the last Gap was queued. */
    private long dropped;
    /** Guarded by lock. */
    private int phase = OPEN;
    private final Thread thread;

    ListenerFeed(JobListener listener, int capacity, String threadName, Runnable onClose) {
        this.listener = listener;
        this.capacity = capacity;
        this.onClose = onClose;
        this.thread = RuntimeThreads.startVirtual(threadName, this::deliverLoop);
    }

    /** Queues {@code event} for the listener; never blocks on the listener. */
    void offer(JobEvent event) {
        boolean firstDrop = false;
        lock.lock();
        try {
            if (phase != OPEN) {
                return;
            }
            int events = backlog.size();
            if (events >= capacity) {
                firstDrop = dropped++ == 0;
            } else {
                if (dropped > 0) {
                    backlog.addLast(new Gap(dropped));
                    dropped = 0;
                }
                backlog.addLast(event);
                if (events == 0) {
                    changed.signal();
                }
            }
        } finally {
            lock.unlock();
        }
        if (firstDrop) {
            LOG.warn("job listener {} is {} events behind: dropping events until it catches up", listener, capacity);
        }
    }

    private void deliverLoop() {
        while (true) {
            Object next;
            lock.lock();
            try {
                while (backlog.isEmpty() && phase == OPEN) {
                    changed.awaitUninterruptibly();
                }
                if (phase == ENDED || backlog.isEmpty()) {
                    return; // closed, or drained
                }
                next = backlog.pollFirst();
            } finally {
                lock.unlock();
            }
            deliver(next);
        }
    }

    private void deliver(Object entry) {
        try {
            if (entry instanceof Gap gap) {
                listener.onEventsDropped(gap.count());
            } else {
                listener.onEvent((JobEvent) entry);
            }
        } catch (RuntimeException | Error e) {
            try {
                String what = entry instanceof JobEvent ev ? ev.type() + " of job " + ev.job().id() : entry.toString();
                LOG.warn("job listener {} threw on {}", listener, what, e);
            } catch (RuntimeException | Error ignored) {
                // a listener whose toString throws is still skipped, just not named
            }
        }
    }

    /** Stops delivery; see {@link JobSubscription#close()}. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (phase != ENDED) {
                phase = ENDED;
                backlog.clear();
                dropped = 0;
                changed.signal();
            }
        } finally {
            lock.unlock();
        }
        onClose.run();
        if (Thread.currentThread() != thread) {
            RuntimeThreads.joinUninterruptibly(thread);
        }
    }

    /** Delivers what is queued, then ends the delivery thread and waits for it (unless called on it). */
    void drain() {
        lock.lock();
        try {
            if (phase == OPEN) {
                phase = DRAINING;
                if (dropped > 0) {
                    backlog.addLast(new Gap(dropped));
                    dropped = 0;
                }
                changed.signal();
            }
        } finally {
            lock.unlock();
        }
        if (Thread.currentThread() != thread) {
            RuntimeThreads.joinUninterruptibly(thread);
        }
    }
}
