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

/**
 * The one listener on the runtime behind every event stream: frames each event once, keeps a bounded replay log
 * and hands events to the open streams without ever blocking the thread that emitted them.
 */
final class EventHub implements JobListener, AutoCloseable {

    /*
     * Implementation notes.
     *
     * onEvent runs on the job's thread (or a submitter's, or the sampler's). It serializes the event (CPU only),
     * appends it to the replay log under a short lock, then offers it to every open stream; a stream's offer is
     * a non-blocking ArrayBlockingQueue.offer, and when the queue is full the stream is marked overflowed and
     * its reader thread interrupted, which ends the stream (the client resumes with Last-Event-ID from the
     * replay log). Nothing on this path waits for a client.
     *
     * Resumption without gaps or duplicates: a stream registers itself first, then copies the log. An event is
     * appended to the log (and given its log index) before it is offered, so every event is either in the copy,
     * or offered to the stream after registration, or both. The stream skips queued entries whose index is
     * below the end of its copy: those were in the copy (or older than it), so one long replaces a set of seen
     * sequences.
     *
     * Replay positions are log positions, not sequence comparisons: sequences are global but events of
     * different jobs may be delivered out of sequence order, so "after event N" means "appended after N".
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
    /** The log position of the next entry; guarded by {@code log}. */
    private long nextIndex;
    private final Set<SseStream> streams = ConcurrentHashMap.newKeySet();
    private final AtomicInteger open = new AtomicInteger();
    private final JobSubscription subscription;
    private volatile boolean closed;

    EventHub(JobRuntime runtime, ObjectMapper mapper, HttpConfig config) {
        this.mapper = mapper;
        this.replayCapacity = config.replayEvents();
        this.clientCapacity = config.clientBufferEvents();
        this.maxStreams = config.maxEventStreams();
        this.heartbeatNanos = config.heartbeat().toNanos();
        this.subscription = runtime.subscribe(this);
    }

    @Override
    public void onEvent(JobEvent event) {
        String frame = frame(event);
        Entry entry;
        synchronized (log) {
            entry = new Entry(nextIndex++, event.sequence(), event.job().id(), event.isTerminal(), frame);
            log.addLast(entry);
            if (log.size() > replayCapacity) {
                log.removeFirst();
            }
        }
        for (SseStream s : streams) {
            s.offer(entry);
        }
    }

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
        streams.add(stream);
        List<Entry> copy;
        long copyEnd;
        synchronized (log) {
            copy = new ArrayList<>(log);
            copyEnd = nextIndex;
        }
        var replay = new ArrayList<Entry>();
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
        if (jobId != null && jobFinished && replay.stream().noneMatch(Entry::terminal)) {
            boolean sawEnd = copy.stream().anyMatch(e -> e.terminal() && jobId.equals(e.jobId()));
            if (lastEventId != null) {
                // the client had been following this job; nothing newer is left for it
                stream.close();
                return new NothingMore();
            }
            if (!sawEnd) {
                stream.fallback(new Entry(-1, 0, jobId, true, finalFallback));
            }
        }
        stream.start(replay, copyEnd);
        return new Stream(stream);
    }

    void remove(SseStream stream) {
        if (streams.remove(stream)) {
            open.decrementAndGet();
        }
    }

    int openStreams() {
        return open.get();
    }

    @Override
    public void close() {
        closed = true;
        subscription.close();
        for (SseStream s : streams) {
            s.close();
        }
    }
}
