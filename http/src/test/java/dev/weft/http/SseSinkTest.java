package dev.weft.http;

import dev.weft.jobs.JobRuntime;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The push contract of {@link SseStream#pushTo(SseSink)} with a sink that is no server at all: frames arrive in
 * order, a resumed stream replays, and every way of ending reaches the pushing thread without interrupting it.
 */
class SseSinkTest {

    private static final long WAIT_S = 10;

    /** Records frames; can be made to block in send until disconnected. */
    private static final class RecordingSink implements SseSink {
        final LinkedBlockingQueue<String> frames = new LinkedBlockingQueue<>();
        final CountDownLatch disconnected = new CountDownLatch(1);
        final CountDownLatch blocking = new CountDownLatch(1);
        volatile boolean blockAfterGreeting;
        volatile IOException failWith;

        @Override
        public void send(String frame) throws IOException {
            if (failWith != null) {
                throw failWith;
            }
            frames.add(frame);
            if (blockAfterGreeting) {
                blocking.countDown();
                try {
                    if (!disconnected.await(WAIT_S, TimeUnit.SECONDS)) {
                        throw new IOException("never disconnected");
                    }
                } catch (InterruptedException e) {
                    throw new IOException("interrupted, which the stream must not do");
                }
                throw new IOException("connection closed by disconnect");
            }
        }

        @Override
        public void disconnect() {
            disconnected.countDown();
        }

        String next() throws InterruptedException {
            String f = frames.poll(WAIT_S, TimeUnit.SECONDS);
            assertThat(f).as("a frame within %d s", WAIT_S).isNotNull();
            return f;
        }

        String nextEvent() throws InterruptedException {
            while (true) {
                String f = next();
                if (f.startsWith("id: ")) {
                    return f;
                }
            }
        }
    }

    /** Runs pushTo on a virtual thread; completes with its result and whether that thread saw an interrupt. */
    private record Pushing(CompletableFuture<Boolean> result, AtomicBoolean interrupted) {
        static Pushing start(SseStream stream, SseSink sink) {
            var result = new CompletableFuture<Boolean>();
            var interrupted = new AtomicBoolean();
            Thread.ofVirtual().start(() -> {
                boolean normal = stream.pushTo(sink);
                interrupted.set(Thread.currentThread().isInterrupted());
                result.complete(normal);
            });
            return new Pushing(result, interrupted);
        }

        boolean await() throws Exception {
            return result.get(WAIT_S, TimeUnit.SECONDS);
        }
    }

    private static SseStream open(JobApi api, String path, String lastEventId) {
        var headers = lastEventId == null ? java.util.Map.<String, List<String>>of()
                : java.util.Map.of("Last-Event-ID", List.of(lastEventId));
        ApiResponse r = api.handle(new ApiRequest("GET", path, null, headers, null));
        assertThat(r.status()).as(r.bodyText()).isEqualTo(200);
        return r.stream();
    }

    @Test
    void framesArePushedInOrderAndAJobStreamEndsNormallyAfterItsLastEvent() throws Exception {
        try (JobRuntime runtime = JobRuntime.builder().build();
             JobApi api = JobApi.builder(runtime).build()) {
            var gate = new CountDownLatch(1);
            var job = runtime.submit("gated", ctx -> {
                gate.await();
                return 1;
            });
            var sink = new RecordingSink();
            var pushing = Pushing.start(open(api, "/api/jobs/" + job.id() + "/events", null), sink);
            assertThat(sink.next()).contains("connected");

            gate.countDown();

            var events = new java.util.ArrayList<String>();
            String f;
            while (!(f = sink.nextEvent()).contains("\"FINISHED\"")) {
                events.add(f);
            }
            assertThat(pushing.await()).as("ended normally").isTrue();
            assertThat(pushing.interrupted()).isFalse();
            assertThat(api.openEventStreams()).isZero();
        }
    }

    @Test
    void aResumedStreamReplaysWhatTheClientMissedThroughTheSink() throws Exception {
        try (JobRuntime runtime = JobRuntime.builder().build();
             JobApi api = JobApi.builder(runtime).build()) {
            var first = new RecordingSink();
            SseStream stream = open(api, "/api/events", null);
            var pushing = Pushing.start(stream, first);
            first.next();
            runtime.submit("one", ctx -> 1).await();
            String firstEvent = first.nextEvent();
            String firstId = firstEvent.substring(4, firstEvent.indexOf('\n'));
            stream.close();
            assertThat(pushing.await()).isFalse();
            runtime.submit("two", ctx -> 2).await(); // happens while no stream is open

            var second = new RecordingSink();
            var resumed = Pushing.start(open(api, "/api/events", firstId), second);
            second.next();
            var names = new java.util.ArrayList<String>();
            while (!names.contains("two")) {
                String f = second.nextEvent();
                assertThat(f).doesNotContain("RESYNC");
                names.add(ServerFixture.JSON.readTree(f.substring(f.indexOf("data: ") + 6)).get("job").get("name")
                        .asText());
            }
            assertThat(names).as("the rest of one's events, then two's").startsWith("one");
            api.close();
            assertThat(resumed.await()).isFalse();
        }
    }

    @Test
    void aClientThatFallsBehindIsDisconnectedThroughItsSinkNotByAnInterrupt() throws Exception {
        try (JobRuntime runtime = JobRuntime.builder().build();
             JobApi api = JobApi.builder(runtime).config(HttpConfig.builder().clientBufferEvents(4).build()).build()) {
            var sink = new RecordingSink();
            sink.blockAfterGreeting = true;
            SseStream stream = open(api, "/api/events", null);
            var pushing = Pushing.start(stream, sink);
            assertThat(sink.blocking.await(WAIT_S, TimeUnit.SECONDS)).isTrue();

            for (int i = 0; i < 10; i++) { // three events each: more than the 4 that fit
                runtime.submit("flood", ctx -> 1).await();
            }

            assertThat(sink.disconnected.await(WAIT_S, TimeUnit.SECONDS)).isTrue();
            assertThat(pushing.await()).as("not a normal end").isFalse();
            assertThat(pushing.interrupted()).isFalse();
            assertThat(stream.overflowed()).isTrue();
            assertThat(api.openEventStreams()).isZero();
        }
    }

    @Test
    void closingAStreamWakesItsPusherWithoutAnInterrupt() throws Exception {
        try (JobRuntime runtime = JobRuntime.builder().build();
             JobApi api = JobApi.builder(runtime)
                     .config(HttpConfig.builder().heartbeat(Duration.ofHours(1)).build()).build()) {
            var sink = new RecordingSink();
            SseStream stream = open(api, "/api/events", null);
            var pushing = Pushing.start(stream, sink);
            sink.next(); // connected; the pusher now waits for an event, up to an hour

            stream.close();

            assertThat(pushing.await()).isFalse();
            assertThat(pushing.interrupted()).isFalse();
            assertThat(sink.disconnected.getCount()).as("disconnect was called").isZero();
            assertThat(api.openEventStreams()).isZero();
        }
    }

    @Test
    void aSendThatFailsEndsTheStreamAndFreesItsSlot() throws Exception {
        try (JobRuntime runtime = JobRuntime.builder().build();
             JobApi api = JobApi.builder(runtime).build()) {
            var sink = new RecordingSink();
            SseStream stream = open(api, "/api/events", null);
            var pushing = Pushing.start(stream, sink);
            sink.next();
            assertThat(api.openEventStreams()).isEqualTo(1);

            sink.failWith = new IOException("broken pipe");
            runtime.submit("any", ctx -> 1).await();

            assertThat(pushing.await()).isFalse();
            assertThat(api.openEventStreams()).isZero();
        }
    }

    @Test
    void finishingTheStreamsSendsWhatIsQueuedThenEndsNormally() throws Exception {
        try (JobRuntime runtime = JobRuntime.builder().build();
             JobApi api = JobApi.builder(runtime)
                     .config(HttpConfig.builder().heartbeat(Duration.ofHours(1)).build()).build()) {
            var sink = new RecordingSink();
            var pushing = Pushing.start(open(api, "/api/events", null), sink);
            sink.next();
            runtime.submit("last", ctx -> 1).await();

            api.finishEventStreams();

            assertThat(pushing.await()).as("a normal end").isTrue();
            var frames = new CopyOnWriteArrayList<>(sink.frames);
            assertThat(String.join("", frames)).contains("\"name\":\"last\"");
            assertThat(sink.disconnected.getCount()).isEqualTo(1);
        }
    }
}
