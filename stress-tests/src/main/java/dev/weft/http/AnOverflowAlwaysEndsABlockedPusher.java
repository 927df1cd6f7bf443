package dev.weft.http;

import dev.weft.jobs.JobEvent;
import dev.weft.jobs.JobRecord;
import dev.weft.jobs.JobRuntime;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Mode;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.Signal;
import org.openjdk.jcstress.annotations.State;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * A client with no room left is disconnected, wherever its pusher is: an overflow always reaches a pusher blocked
 * in the sink's {@code send}, also when the overflow happens while {@code pushTo} is only starting (the stream
 * then finds the overflow itself). The pusher writes the sink and then reads the overflow flag; the event thread
 * writes the flag and then reads the sink; both are volatile, so one of them always sees the other.
 *
 * <p>The race: the actor pushes a stream whose client buffer holds one event, to a sink whose {@code send} blocks
 * until the sink is disconnected (a client that reads nothing); the signal delivers two events, the second of which
 * overflows. If neither side saw the other, the pusher would block in {@code send} for ever: STALE.
 *
 * <p>Lives in {@code dev.weft.http} because the hub is package-private. Run:
 * {@code ./weft stress -m sanity -t AnOverflowAlwaysEndsABlockedPusher}.
 */
@JCStressTest(Mode.Termination)
@Outcome(id = "TERMINATED", expect = Expect.ACCEPTABLE, desc = "the overflow disconnected the client and pushTo returned")
@Outcome(id = "STALE", expect = Expect.FORBIDDEN, desc = "the pusher stayed blocked after the overflow")
@Outcome(expect = Expect.FORBIDDEN, desc = "anything else")
@State
public class AnOverflowAlwaysEndsABlockedPusher {

    private static final JobRecord RECORD;
    private static final HttpConfig CONFIG = HttpConfig.builder().heartbeat(Duration.ofHours(1))
            .clientBufferEvents(1).build();

    static {
        try (JobRuntime runtime = JobRuntime.builder().name("stress").build()) {
            // a method reference, not a lambda: see LiveStreamGetsEventsInReplayLogOrder
            var h = runtime.submit("template", java.util.Objects::hashCode);
            h.awaitCompletion(Duration.ofSeconds(30));
            RECORD = runtime.get(h.id());
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private final EventHub hub = new EventHub(Json.mapper(false), CONFIG, null);
    private final SseStream stream = ((EventHub.Stream) hub.open(null, null, false, null)).stream();
    private final CountDownLatch disconnected = new CountDownLatch(1);

    @Actor
    public void pusher() {
        stream.pushTo(new SseSink() {
            @Override
            public void send(String frame) throws IOException {
                try {
                    disconnected.await(); // a client that reads nothing
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new IOException("disconnected");
            }

            @Override
            public void disconnect() {
                disconnected.countDown();
            }
        });
    }

    @Signal
    public void deliver() {
        hub.onEvent(new JobEvent(1, JobEvent.Type.PROGRESS, RECORD));
        hub.onEvent(new JobEvent(2, JobEvent.Type.PROGRESS, RECORD));
    }
}
