package dev.weft.http;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A small server-sent events client for tests: parses the text/event-stream format (id, event, data, retry,
 * comments; blank line dispatches) on a virtual thread into a queue.
 */
final class SseClient implements AutoCloseable {

    /** One dispatched event, or a comment line (id and data null). */
    record Event(String id, String event, String data, String comment) {
        boolean isComment() {
            return comment != null;
        }
    }

    /** Marks the end of the stream in the queue. */
    private static final Event END = new Event(null, null, null, "<end>");

    final HttpResponse<InputStream> response;
    private final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final Thread reader;
    private volatile boolean ended;

    private SseClient(HttpResponse<InputStream> response) {
        this.response = response;
        this.reader = Thread.ofVirtual().name("sse-test-reader").start(this::read);
    }

    static SseClient open(HttpClient http, URI uri, String lastEventId) throws IOException, InterruptedException {
        var b = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream").GET();
        if (lastEventId != null) {
            b.header("Last-Event-ID", lastEventId);
        }
        return new SseClient(http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream()));
    }

    private void read() {
        try (var in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String id = null;
            String event = null;
            StringBuilder data = null;
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isEmpty()) {
                    if (data != null) {
                        events.add(new Event(id, event, data.toString(), null));
                    }
                    event = null;
                    data = null;
                } else if (line.startsWith(":")) {
                    events.add(new Event(null, null, null, line.substring(1).trim()));
                } else {
                    int c = line.indexOf(':');
                    String field = c < 0 ? line : line.substring(0, c);
                    String value = c < 0 ? "" : line.substring(c + 1);
                    if (value.startsWith(" ")) {
                        value = value.substring(1);
                    }
                    switch (field) {
                        case "id" -> id = value;
                        case "event" -> event = value;
                        case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                        default -> { } // retry and unknown fields
                    }
                }
            }
        } catch (IOException e) {
            // closed by us or by the server
        } finally {
            ended = true;
            events.add(END);
        }
    }

    /** The next event or comment, or null on timeout; throws if the stream ended. */
    Event next(Duration timeout) throws InterruptedException {
        Event e = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (e == END) {
            events.add(END);
            throw new IllegalStateException("stream ended");
        }
        return e;
    }

    /** The next event that is not a comment, or null on timeout. */
    Event nextEvent(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            Event e = next(Duration.ofNanos(left));
            if (e == null || !e.isComment()) {
                return e;
            }
        }
    }

    /** Every event until the stream ends (at most {@code timeout}); throws if it does not end in time. */
    List<Event> untilEnd(Duration timeout) throws InterruptedException {
        var out = new ArrayList<Event>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Event e = events.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (e == null) {
                throw new AssertionError("stream did not end within " + timeout + "; got " + out);
            }
            if (e == END) {
                return out;
            }
            if (!e.isComment()) {
                out.add(e);
            }
        }
    }

    boolean ended() {
        return ended;
    }

    @Override
    public void close() throws InterruptedException {
        try {
            response.body().close();
        } catch (IOException ignored) {
            // closing anyway
        }
        reader.join(Duration.ofSeconds(5));
    }
}
