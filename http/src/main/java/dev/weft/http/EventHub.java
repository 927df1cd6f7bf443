package dev.weft.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.jobs.JobEvent;
import dev.weft.jobs.JobListener;
import dev.weft.jobs.JobRuntime;
import dev.weft.jobs.JobSubscription;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * The one listener on the runtime behind every event stream: frames each event once, keeps a bounded replay log
 * and hands events to the open streams without ever blocking the thread that emitted them.
 */
final class EventHub implements JobListener, AutoCloseable {

    /*
     * Implementation notes.
     *
     * onEvent runs on the thread that delivers the runtime's events. It serializes the event (CPU only), then,
     * under the log's lock, appends it to the replay log and offers it to every open stream. A stream's offer is
     * a non-blocking ArrayBlockingQueue.offer; when the queue is full the stream is marked overflowed and its
     * reader thread interrupted, which ends the stream (the client resumes with Last-Event-ID from the replay
     * log). Nothing on this path waits for a client.
     *
     * Invariant: every stream's queue receives entries in log order, each once. Appending and offering happen
     * under one lock, and a stream registers and copies the log under that same lock, so the copy holds exactly
     * the entries before its registration and the queue exactly those after it: no gap, no duplicate, no
     * reordering between two jobs' events.
     *
     * Replay positions are log positions, not sequence comparisons: sequences are global but events of
     * different jobs may be delivered out of sequence order, so "after event N" means "appended after N".
     * A Last-Event-ID that is not in the log (evicted, or from another server run) is resumed from the runtime's
     * store when it keeps events (a durable store: event ids are the store's, so they hold across restarts); the
     * stream then skips live entries it already replayed from the store. Otherwise it cannot be resumed exactly:
     * the stream then starts with a RESYNC message telling the client to fetch the current state.
     */

    /** One framed event. */
    record Entry(long index, long sequence, String jobId, boolean terminal, String frame) {
    }

    private final ObjectMapper mapper;
    private final int replayCapacity;
    private final int clientCapacity;
    private final int maxStreams;
    private final long heartbeatNanos;
    /** Guarded by itself. Appended by event threads, copied by opening streams. */
    private final ArrayDeque<Entry> log = new ArrayDeque<>();
    /** The log position of the next entry; guarded by {@code log}. The open streams change under it too. */
    private long nextIndex;
    private final Set<SseStream> streams = ConcurrentHashMap.newKeySet();
    private final AtomicInteger open = new AtomicInteger();
    private final JobSubscription subscription;
    private final JobRuntime runtime;
    private volatile boolean closed;

    EventHub(JobRuntime runtime, ObjectMapper mapper, HttpConfig config) {
        this(mapper, config, runtime);
    }

    /** A hub fed by {@link #onEvent} calls only (for stress tests); {@code runtime} may be null. */
    EventHub(ObjectMapper mapper, HttpConfig config, JobRuntime runtime) {
        this.mapper = mapper;
        this.replayCapacity = config.replayEvents();
        this.clientCapacity = config.clientBufferEvents();
        this.maxStreams = config.maxEventStreams();
        this.heartbeatNanos = saturatedNanos(config.heartbeat());
        this.runtime = runtime;
        this.subscription = runtime == null ? null : runtime.subscribe(this);
    }

    private static long saturatedNanos(java.time.Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    @Override
    public void onEvent(JobEvent event) {
        String frame = frame(event);
        synchronized (log) {
            Entry entry = new Entry(nextIndex++, event.sequence(), event.job().id(), event.isTerminal(), frame);
            log.addLast(entry);
            if (log.size() > replayCapacity) {
                log.removeFirst();
            }
            for (SseStream s : streams) {
                s.offer(entry);
            }
        }
    }

    /**
     * The message that tells a resuming client that events after {@code lastEventId} are no longer in the replay
     * log: it has no {@code id:} line (the client keeps its last id) and its type is RESYNC.
     */
    private String resyncFrame(long lastEventId) {
        var body = new java.util.LinkedHashMap<String, Object>();
        body.put("type", RESYNC);
        body.put("lastEventId", lastEventId);
        body.put("message", "events after id " + lastEventId + " are no longer in the replay log; fetch the "
                + "current state (GET /api/jobs) and apply the events that follow");
        return "data: " + Json.text(mapper, body) + "\n\n";
    }

    /** The {@code type} of the message sent when a resumption cannot be exact. */
    static final String RESYNC = "RESYNC";

    String frame(JobEvent event) {
        return "id: " + event.sequence() + "\ndata: " + Json.text(mapper, event) + "\n\n";
    }

    /** The outcome of opening a stream. */
    sealed interface Opened {
    }

    record Stream(SseStream stream) implements Opened {
    }

    /** The cap on open streams is reached. */
    record Full() implements Opened {
    }

    /** The job has ended and the client has already seen its last event. */
    record NothingMore() implements Opened {
    }

    /**
     * Opens a stream of {@code jobId}'s events (all jobs when null), resuming after {@code lastEventId} if given.
     *
     * @param jobFinished   for a job stream: whether the job had ended when the request arrived
     * @param finalFallback for a job stream of an ended job: a frame to send if its FINISHED event is no longer
     *                      in the log
     */
    Opened open(String jobId, Long lastEventId, boolean jobFinished, String finalFallback) {
        if (closed) {
            return new Full();
        }
        if (open.incrementAndGet() > maxStreams) {
            open.decrementAndGet();
            return new Full();
        }
        var stream = new SseStream(this, jobId, clientCapacity, heartbeatNanos);
        List<Entry> copy;
        synchronized (log) {
            streams.add(stream);
            copy = new ArrayList<>(log);
        }
        var replay = new ArrayDeque<Entry>();
        int start = 0;
        if (lastEventId != null) {
            start = -1;
            for (int i = copy.size() - 1; i >= 0; i--) {
                if (copy.get(i).sequence() == lastEventId) {
                    start = i + 1;
                    break;
                }
            }
        }
        for (int i = 0; i < copy.size(); i++) {
            Entry e = copy.get(i);
            boolean mine = jobId == null || jobId.equals(e.jobId());
            boolean wanted = start >= 0 ? i >= start : e.sequence() > lastEventId;
            if (mine && wanted && (jobId != null || lastEventId != null)) {
                replay.add(e);
            }
        }
        // 0 is the id of a synthesized final event (below): the client has seen the job's end
        boolean lost = lastEventId != null && start < 0 && lastEventId != 0;
        if (lost && runtime != null) { // a durable store keeps its events: resume from it, across restarts too
            var kept = runtime.eventsAfter(lastEventId, replayCapacity);
            if (kept.isPresent()) {
                replay.clear();
                for (JobEvent event : kept.get()) {
                    if (jobId == null || jobId.equals(event.job().id())) {
                        replay.add(new Entry(-1, event.sequence(), event.job().id(), event.isTerminal(), frame(event)));
                    }
                }
                stream.skipSequences(kept.get().stream().map(JobEvent::sequence).collect(Collectors.toSet()));
                copy = List.copyOf(replay);
                lost = false;
            }
        }
        if (jobId != null && jobFinished && replay.stream().noneMatch(Entry::terminal)) {
            boolean sawEnd = copy.stream().anyMatch(e -> e.terminal() && jobId.equals(e.jobId()));
            if (lastEventId != null && !lost) {
                // the client had been following this job; nothing newer is left for it
                stream.close();
                return new NothingMore();
            }
            if (!sawEnd || lost) {
                stream.fallback(new Entry(-1, 0, jobId, true, finalFallback));
            }
        }
        if (lost) {
            replay.addFirst(new Entry(-1, 0, jobId, false, resyncFrame(lastEventId)));
        }
        stream.start(replay);
        return new Stream(stream);
    }

    void remove(SseStream stream) {
        if (streams.remove(stream)) {
            open.decrementAndGet();
            synchronized (open) {
                open.notifyAll();
            }
        }
    }

    /** Waits until no stream is open, at most {@code timeout}; whether none is. */
    boolean awaitNoStreams(java.time.Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + Math.min(timeout.toMillis(), 1L << 40) * 1_000_000L;
        synchronized (open) {
            while (open.get() > 0) {
                long left = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    return false;
                }
                open.wait(left);
            }
            return true;
        }
    }

    /** A copy of the replay log, oldest first. */
    List<Entry> replayLog() {
        synchronized (log) {
            return new ArrayList<>(log);
        }
    }

    int openStreams() {
        return open.get();
    }

    /**
     * Stops listening, then lets every open stream write what is queued for it and end (the runtime's last
     * events reach their clients); new streams are refused.
     */
    void finish() {
        closed = true;
        if (subscription != null) {
            subscription.close();
        }
        for (SseStream s : streams) {
            s.finish();
        }
    }

    @Override
    public void close() {
        closed = true;
        if (subscription != null) {
            subscription.close();
        }
        for (SseStream s : streams) {
            s.close();
        }
    }
}
