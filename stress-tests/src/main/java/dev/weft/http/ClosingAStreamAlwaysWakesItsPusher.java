package dev.weft.http;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Mode;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.Signal;
import org.openjdk.jcstress.annotations.State;

import java.time.Duration;

/**
 * {@code SseStream.close()} always ends a {@code pushTo} on another thread, wherever that thread is: not yet in
 * {@code pushTo}, sending the greeting, or waiting for an event, without an interrupt (the stream wakes its pusher
 * with a sentinel in its queue and by disconnecting the sink; docs/decisions/0015).
 *
 * <p>The race: the actor pushes a fresh stream whose heartbeat is an hour away (so only close can wake it); the
 * signal closes the stream at any moment. A lost wake-up (close between the pusher's check of the flags and its
 * wait in the queue, with no sentinel) leaves the actor waiting: STALE.
 *
 * <p>Lives in {@code dev.weft.http} because the hub is package-private. Run:
 * {@code ./weft stress -m sanity -t ClosingAStreamAlwaysWakesItsPusher}.
 */
@JCStressTest(Mode.Termination)
@Outcome(id = "TERMINATED", expect = Expect.ACCEPTABLE, desc = "pushTo returned once the stream was closed")
@Outcome(id = "STALE", expect = Expect.FORBIDDEN, desc = "pushTo kept waiting after the stream was closed")
@Outcome(expect = Expect.FORBIDDEN, desc = "anything else")
@State
public class ClosingAStreamAlwaysWakesItsPusher {

    private static final HttpConfig CONFIG = HttpConfig.builder().heartbeat(Duration.ofHours(1)).build();

    private final EventHub hub = new EventHub(Json.mapper(false), CONFIG, null);
    private final SseStream stream = ((EventHub.Stream) hub.open(null, null, false, null)).stream();

    @Actor
    public void pusher() {
        stream.pushTo(new SseSink() {
            @Override
            public void send(String frame) {
                // a client that reads everything at once
            }

            @Override
            public void disconnect() {
                // nothing to unblock: send never blocks
            }
        });
    }

    @Signal
    public void close() {
        stream.close();
    }
}
