package dev.weft.http;

import java.util.ArrayDeque;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One client's stream of server-sent events, produced frame by frame for a server adapter to write.
 *
 * <p>The adapter calls {@link #next()} in a loop on one thread (the request's own), writes each frame and flushes,
 * until it returns {@code null}; then, or when a write fails, it calls {@link #close()}. Each frame is a complete
 * SSE block: an event ({@code id:} and {@code data:} lines), or a comment ({@code : heartbeat}) when nothing
 * happened for the heartbeat interval.
 *
 * <p>Backpressure: events wait for the client in a bounded queue. A client that falls that far behind is
 * disconnected: the stream interrupts the thread that reads it (waking it from {@code next()} or from a
 * blocked socket write, which an interruptible channel then closes) and {@code next()} returns {@code null}.
 * The client may reconnect with {@code Last-Event-ID} and replay what it missed from the server's log.
 * An adapter must therefore treat an interrupt of the draining thread as "close this stream".
 */
public final class SseStream implements AutoCloseable {

    /*
     * Implementation notes: the queue is written by event threads (offer, never blocking) and read by the one
     * reader thread. `replay` belongs to the reader thread after start(). `overflowed`, `ending` and
     * `closed` are written by any thread and read by the reader; `reader` is written by the reader and read by
     * overflowing event threads, which interrupt it.
     */

    private final EventHub hub;
    private final String jobId;
    private final ArrayBlockingQueue<EventHub.Entry> queue;
    private final long heartbeatNanos;
    private final ArrayDeque<EventHub.Entry> replay = new ArrayDeque<>();
    private EventHub.Entry fallback;
    private long fallbackDeadline;
    private boolean greeted;
    private boolean finished;
    private volatile boolean overflowed;
    private volatile boolean closed;
    /** Set by {@link #finish()}: send what is queued, then end. */
    private volatile boolean ending;
    private volatile Thread reader;
    /** Sequences already replayed from the runtime's store; live entries with them are skipped. Reader only. */
    private java.util.Set<Long> skip = java.util.Set.of();

    /** Queued by {@link #finish()} to wake a reader waiting for the next event; never sent. */
    private static final EventHub.Entry END = new EventHub.Entry(-1, 0, null, true, "");

    SseStream(EventHub hub, String jobId, int capacity, long heartbeatNanos) {
        this.hub = hub;
        this.jobId = jobId;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.heartbeatNanos = heartbeatNanos;
    }

    void start(java.util.Collection<EventHub.Entry> replayed) {
        replay.addAll(replayed);
        if (fallback != null) {
            fallbackDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        }
    }

    /** Before start(): live entries with these sequences were replayed already and are not sent again. */
    void skipSequences(java.util.Set<Long> sequences) {
        this.skip = sequences;
    }

    void fallback(EventHub.Entry entry) {
        this.fallback = entry;
    }

    /**
     * Ends the stream once the events already queued for it are written: {@link #next()} returns them, then
     * {@code null}. For a server that stops after its runtime: the runtime's last events still reach the client.
     */
    void finish() {
        ending = true;
        queue.offer(END); // wakes a waiting reader; when the queue is full the reader is not waiting
    }

    /** Called on event threads: never blocks. */
    void offer(EventHub.Entry e) {
        if (closed || ending || (jobId != null && !jobId.equals(e.jobId()))) {
            return;
        }
        if (!queue.offer(e)) {
            overflowed = true;
            Thread r = reader;
            if (r != null) {
                r.interrupt();
            }
        }
    }

    /** Whether the stream was ended because its client fell behind. */
    public boolean overflowed() {
        return overflowed;
    }

    /**
     * The next frame to write, waiting up to the heartbeat interval (then a heartbeat comment); {@code null} when
     * the stream has ended: after a job stream's terminal event, on overflow, or after {@link #close()}.
     *
     * @throws InterruptedException if the reading thread is interrupted (on overflow or close)
     */
    public String next() throws InterruptedException {
        reader = Thread.currentThread();
        if (closed || overflowed || finished) {
            return null;
        }
        if (!greeted) {
            greeted = true;
            return "retry: 2000\n: connected\n\n";
        }
        while (true) {
            EventHub.Entry e = replay.poll();
            if (e == null && ending) {
                e = queue.poll();
                if (e == null || e == END) {
                    finished = true;
                    return null;
                }
            }
            if (e == END) {
                continue;
            }
            if (e == null) {
                long wait = heartbeatNanos;
                if (fallback != null) {
                    wait = Math.max(0, Math.min(wait, fallbackDeadline - System.nanoTime()));
                }
                e = queue.poll(wait, TimeUnit.NANOSECONDS);
                if (closed || overflowed) {
                    return null;
                }
                if (e == END) {
                    continue;
                }
                if (e == null) {
                    if (fallback != null && System.nanoTime() - fallbackDeadline >= 0) {
                        finished = true;
                        return fallback.frame();
                    }
                    if (fallback != null) {
                        continue;
                    }
                    return ": heartbeat\n\n";
                }
            }
            if (e.index() >= 0 && skip.contains(e.sequence())) {
                continue; // sent from the store's replay already
            }
            if (jobId != null && e.terminal()) {
                finished = true;
            }
            return e.frame();
        }
    }

    /** Ends the stream and frees its slot; idempotent, any thread. Wakes a reader waiting in {@link #next()}. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        hub.remove(this);
        Thread r = reader;
        if (r != null && r != Thread.currentThread()) {
            r.interrupt();
        }
    }
}
