package dev.weft.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.jobs.JobEvent;
import dev.weft.jobs.JobRecord;
import dev.weft.jobs.JobRuntime;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LL_Result;

import java.time.Duration;
import java.util.StringJoiner;

/**
 * An open event stream receives events in the order of the replay log, which is the order a client resuming with
 * {@code Last-Event-ID} replays (docs/http.md, "Order"): two events of two jobs, delivered by two threads at once,
 * reach the stream in the order they were logged, each once.
 *
 * <p>The race: two actors each hand one event to the hub ({@code EventHub.onEvent}); a stream was opened before.
 * The arbiter reports the log's order and the stream's. With the append to the log and the offer to the streams
 * in two separate steps (the append under the log's lock, the offer after it), a sanity run delivered {@code 2 1}
 * against a log of {@code 1 2}: a client that resumed after event 2 would then have been sent event 2 again.
 *
 * <p>Lives in {@code dev.weft.http} because the hub is package-private. Run:
 * {@code ./weft stress -m sanity -t LiveStreamGetsEventsInReplayLogOrder}.
 */
@JCStressTest
@Outcome(id = {"1 2, 1 2", "2 1, 2 1"}, expect = Expect.ACCEPTABLE, desc = "the stream received the log's order")
@Outcome(expect = Expect.FORBIDDEN, desc = "the stream's order differs from the log's, or an event is missing or repeated")
@State
public class LiveStreamGetsEventsInReplayLogOrder {

    private static final JobRecord RECORD;
    private static final ObjectMapper MAPPER = Json.mapper(false);
    private static final HttpConfig CONFIG = HttpConfig.builder().heartbeat(Duration.ofMillis(100)).build();

    static {
        try (JobRuntime runtime = JobRuntime.builder().name("stress").build()) {
            // a method reference, not a lambda: a lambda's body lives in this class, which the job's thread could
            // not run before this initializer ends
            var h = runtime.submit("template", java.util.Objects::hashCode);
            h.awaitCompletion(Duration.ofSeconds(30));
            RECORD = runtime.get(h.id());
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private final EventHub hub = new EventHub(MAPPER, CONFIG, null);
    private final SseStream stream = ((EventHub.Stream) hub.open(null, null, false, null)).stream();

    @Actor
    public void first() {
        hub.onEvent(new JobEvent(1, JobEvent.Type.PROGRESS, RECORD));
    }

    @Actor
    public void second() {
        hub.onEvent(new JobEvent(2, JobEvent.Type.PROGRESS, RECORD));
    }

    @Arbiter
    public void arbiter(LL_Result r) {
        var logged = new StringJoiner(" ");
        for (EventHub.Entry e : hub.replayLog()) {
            logged.add(Long.toString(e.sequence()));
        }
        var delivered = new StringJoiner(" ");
        try {
            stream.next(); // the greeting
            for (int i = 0; i < 2; i++) {
                String frame = stream.next();
                if (frame.startsWith("id: ")) {
                    delivered.add(frame.substring(4, frame.indexOf('\n')));
                } else {
                    delivered.add("?");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            stream.close();
            hub.close();
        }
        r.r1 = logged.toString();
        r.r2 = delivered.toString();
    }
}
