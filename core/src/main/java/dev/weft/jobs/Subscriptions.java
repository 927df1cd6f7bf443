package dev.weft.jobs;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A runtime's listener subscriptions: each a {@link ListenerFeed} with its own delivery thread. Emitters offer
 * events to all of them without waiting; shutdown delivers what each has queued and ends them.
 */
final class Subscriptions {

    /*
     * Implementation notes: `feeds` is copy-on-write, read by every emitter without a lock. `lock` orders
     * subscribe against end(): once end() has run, no subscribe starts a delivery thread, so end() drains every
     * feed that will ever exist.
     */

    private final String runtimeName;
    private final int backlog;
    private final CopyOnWriteArrayList<ListenerFeed> feeds = new CopyOnWriteArrayList<>();
    private final ReentrantLock lock = new ReentrantLock();
    /** Guarded by lock. */
    private boolean ended;
    /** Guarded by lock. */
    private int number = 1;

    Subscriptions(String runtimeName, int backlog) {
        this.runtimeName = runtimeName;
        this.backlog = backlog;
    }

    /** A new subscription for {@code listener}; after {@link #end()}, one that receives nothing. */
    JobSubscription add(JobListener listener) {
        lock.lock();
        try {
            if (ended) {
                return () -> { }; // shut down: no event will come
            }
            var feed = new ListenerFeed[1];
            feed[0] = new ListenerFeed(listener, backlog, runtimeName + "/listener-" + number++,
                    () -> feeds.remove(feed[0]));
            feeds.add(feed[0]);
            return feed[0];
        } finally {
            lock.unlock();
        }
    }

    boolean isEmpty() {
        return feeds.isEmpty();
    }

    /** Offers {@code event} to every subscription's backlog: O(1) each, no listener runs here. */
    void offer(JobEvent event) {
        for (ListenerFeed feed : feeds) {
            feed.offer(event);
        }
    }

    /** Delivers every subscription's backlog, then ends its thread; later subscriptions receive nothing. */
    void end() {
        List<ListenerFeed> toEnd;
        lock.lock();
        try {
            ended = true;
            toEnd = List.copyOf(feeds);
        } finally {
            lock.unlock();
        }
        for (ListenerFeed feed : toEnd) {
            feed.drain();
        }
    }
}
