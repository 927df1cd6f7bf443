package dev.weft.http;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One client's stream of server-sent events, pushed frame by frame to an {@link SseSink} that a server adapter
 * provides.
 *
 * <p>The adapter sends the response headers, then calls {@link #pushTo(SseSink)} on a thread it may block (the
 * request's own virtual thread, or one it starts for an asynchronous response). {@code pushTo} sends each frame
 * to the sink as it comes and returns when the stream has ended; it returns normally also when the client went
 * away. Each frame is a complete SSE block: an event ({@code id:} and {@code data:} lines), or a comment
 * ({@code : heartbeat}) when nothing happened for the heartbeat interval, which also finds a vanished client.
 *
 * <p>Backpressure: while the sink's {@code send} blocks, events wait in a bounded queue. A client that falls that
 * far behind is disconnected ({@link SseSink#disconnect()} is called on the thread that delivered the event that
 * did not fit, which never waits for the client) and {@link #overflowed()} becomes true. The client may reconnect
 * with {@code Last-Event-ID} and replay what it missed from the server's log.
 *
 * <p>Disconnect detection: a {@code send} that throws ends the stream; an adapter whose server reports a closed
 * connection sooner (a reader on the socket, a servlet {@code AsyncListener}) calls {@link #close()}.
 */
public final class SseStream implements AutoCloseable {

    /*
     * Implementation notes: the queue is written by event threads (offer, never blocking) and read by the one
     * pushing thread. `replay`, `greeted`, `finished`, `skip` and `fallback*` belong to the pushing thread after
     * start(). `overflowed`, `ending` and `closed` are written by any thread and read by the pusher; `sink` is
     * written by the pusher (set on entry, cleared on exit) and read by overflowing and closing threads, which
     * disconnect it.
     *
     * Wake-ups without interrupts: the pusher waits only in queue.poll or in sink.send. close() and finish()
     * offer WAKE; if the queue is full the offer fails, but then the pusher is not waiting in poll (the queue is
     * not empty), and it re-checks the flags before each frame. A pusher blocked in send is woken by
     * sink.disconnect(). So every way of ending reaches the pusher without interrupting a thread the adapter owns.
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
    private volatile SseSink sink;
    private final java.util.concurrent.atomic.AtomicBoolean pushed = new java.util.concurrent.atomic.AtomicBoolean();
    /** Sequences already replayed from the runtime's store; live entries with them are skipped. Pusher only. */
    private Set<Long> skip = Set.of();

    /** Queued by {@link #finish()} and {@link #close()} to wake a pusher waiting for the next event; never sent. */
    private static final EventHub.Entry WAKE = new EventHub.Entry(-1, 0, null, true, "");

    SseStream(EventHub hub, String jobId, int capacity, long heartbeatNanos) {
        this.hub = hub;
        this.jobId = jobId;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.heartbeatNanos = heartbeatNanos;
    }

    void start(Collection<EventHub.Entry> replayed) {
        replay.addAll(replayed);
        if (fallback != null) {
            fallbackDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        }
    }

    /** Before start(): live entries with these sequences were replayed already and are not sent again. */
    void skipSequences(Set<Long> sequences) {
        this.skip = sequences;
    }

    void fallback(EventHub.Entry entry) {
        this.fallback = entry;
    }

    /**
     * Ends the stream once the events already queued for it are sent: {@link #pushTo} sends them, then returns.
     * For a server that stops after its runtime: the runtime's last events still reach the client.
     */
    void finish() {
        ending = true;
        queue.offer(WAKE);
    }

    /** Called on event threads: never blocks. */
    void offer(EventHub.Entry e) {
        if (closed || ending || (jobId != null && !jobId.equals(e.jobId()))) {
            return;
        }
        if (!queue.offer(e)) {
            overflowed = true;
            SseSink s = sink;
            if (s != null) {
                s.disconnect();
            }
        }
    }

    /** Whether the stream was ended because its client fell behind. */
    public boolean overflowed() {
        return overflowed;
    }

    /**
     * Pushes this stream's frames to {@code sink} until the stream ends: after a job stream's terminal event,
     * when the server finishes its streams, on overflow, on {@link #close()}, when a {@code send} throws, or when
     * the calling thread is interrupted. Then the stream is closed (its slot freed) and this returns; it never
     * throws. A stream is pushed once.
     *
     * @return whether the stream ended normally, so the adapter should end the response as usual; {@code false}
     *         when the client went away or was disconnected (the sink was told, or its send failed)
     * @throws IllegalStateException if the stream is already being, or has been, pushed
     */
    public boolean pushTo(SseSink sink) {
        java.util.Objects.requireNonNull(sink, "sink");
        if (!pushed.compareAndSet(false, true)) {
            throw new IllegalStateException("an event stream is pushed to one sink, once");
        }
        this.sink = sink;
        try {
            if (overflowed || closed) { // ended before the sink was known
                sink.disconnect();
                return false;
            }
            String frame;
            while ((frame = next()) != null) {
                sink.send(frame);
            }
            return !overflowed && !closed;
        } catch (IOException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return false;
        } finally {
            this.sink = null;
            closed = true;
            hub.remove(this);
        }
    }

    /**
     * The next frame, waiting up to the heartbeat interval (then a heartbeat comment); {@code null} when the
     * stream has ended. Pusher thread only (tests call it directly).
     */
    String next() throws InterruptedException {
        if (closed || overflowed || finished) {
            return null;
        }
        if (!greeted) {
            greeted = true;
            return "retry: 2000\n: connected\n\n";
        }
        while (true) {
            if (closed || overflowed) {
                return null;
            }
            EventHub.Entry e = replay.poll();
            if (e == null && ending) {
                e = queue.poll();
                if (e == null || e == WAKE) {
                    finished = true;
                    return null;
                }
            }
            if (e == WAKE) {
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
                if (e == WAKE) {
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

    /**
     * Ends the stream now and frees its slot; idempotent, any thread, never blocks. A sink being pushed to is
     * disconnected: the client's connection ends without the rest of the stream.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        SseSink s = sink; // read before the wake-up: a woken pusher clears it on its way out
        hub.remove(this);
        queue.offer(WAKE);
        if (s != null) {
            s.disconnect();
        }
    }
}
