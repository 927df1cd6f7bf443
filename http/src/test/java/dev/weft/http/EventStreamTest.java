package dev.weft.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.jobs.JobEvent;
import dev.weft.jobs.JobRecord;
import dev.weft.jobs.JobRuntime;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;

import static dev.weft.http.ServerFixture.JSON;
import static dev.weft.http.ServerFixture.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

/** Event streams: resumption past the replay log, delivery order, freed slots, and shutdown. */
class EventStreamTest {

    @Test
    void aLastEventIdOlderThanTheReplayLogStartsTheStreamWithAResync() throws Exception {
        try (var f = new ServerFixture(b -> b.replayEvents(4))) {
            String firstId;
            try (var sse = SseClient.open(f.http, f.server.uri().resolve("/api/events"), null)) {
                f.runtime.submit("first", ctx -> 1).await();
                firstId = sse.nextEvent(WAIT).id();
            }
            for (int i = 0; i < 3; i++) {
                f.runtime.submit("later", ctx -> 1).await(); // three events each: the first job's leave the log
            }

            try (var sse = SseClient.open(f.http, f.server.uri().resolve("/api/events"), firstId)) {
                JsonNode first = JSON.readTree(sse.nextEvent(WAIT).data());
                JsonNode next = JSON.readTree(sse.nextEvent(WAIT).data());

                assertThat(first.get("type").asText()).isEqualTo("RESYNC");
                assertThat(first.get("lastEventId").asLong()).isEqualTo(Long.parseLong(firstId));
                assertThat(first.get("message").asText()).contains("GET /api/jobs");
                assertThat(next.get("job").get("name").asText()).isEqualTo("later");
            }
        }
    }

    @Test
    void aLastEventIdStillInTheLogResumesWithoutAResync() throws Exception {
        try (var f = new ServerFixture(b -> b)) {
            String firstId;
            try (var sse = SseClient.open(f.http, f.server.uri().resolve("/api/events"), null)) {
                f.runtime.submit("first", ctx -> 1).await();
                firstId = sse.nextEvent(WAIT).id();
            }
            try (var sse = SseClient.open(f.http, f.server.uri().resolve("/api/events"), firstId)) {
                JsonNode next = JSON.readTree(sse.nextEvent(WAIT).data());
                assertThat(next.get("type").asText()).isNotEqualTo("RESYNC");
                assertThat(next.get("job").get("name").asText()).isEqualTo("first");
            }
        }
    }

    @Test
    void eventsFromRacingThreadsReachALiveStreamInReplayLogOrder() throws Exception {
        int threads = 4;
        int perThread = 20_000;
        try (JobRuntime runtime = JobRuntime.builder().build()) {
            var h = runtime.submit("template", ctx -> 1);
            h.await();
            JobRecord record = runtime.get(h.id());
            var config = HttpConfig.builder().clientBufferEvents(threads * perThread + 1)
                    .replayEvents(threads * perThread + 1).heartbeat(Duration.ofMillis(50)).build();
            var hub = new EventHub(runtime, Json.mapper(false), config);
            try {
                var opened = (EventHub.Stream) hub.open(null, null, false, null);
                SseStream stream = opened.stream();
                var start = new CyclicBarrier(threads);
                var workers = new ArrayList<Thread>();
                for (int t = 0; t < threads; t++) {
                    long base = 1_000_000L * (t + 1);
                    workers.add(Thread.ofPlatform().start(() -> {
                        try {
                            start.await();
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                        for (int i = 0; i < perThread; i++) {
                            hub.onEvent(new JobEvent(base + i, JobEvent.Type.PROGRESS, record));
                        }
                    }));
                }
                for (Thread w : workers) {
                    w.join();
                }

                List<Long> logged = hub.replayLog().stream().map(EventHub.Entry::sequence).toList();
                var delivered = new ArrayList<Long>();
                assertThat(stream.next()).contains("connected");
                while (delivered.size() < logged.size()) {
                    String frame = stream.next();
                    if (frame.startsWith("id: ")) {
                        delivered.add(Long.parseLong(frame.substring(4, frame.indexOf('\n'))));
                    }
                }
                stream.close();

                assertThat(logged).hasSize(threads * perThread);
                for (int i = 0; i < logged.size(); i++) {
                    if (!delivered.get(i).equals(logged.get(i))) {
                        throw new AssertionError("delivery differs from the replay log at position " + i + ": "
                                + delivered.get(i) + " delivered, " + logged.get(i) + " logged");
                    }
                }
            } finally {
                hub.close();
            }
        }
    }

    @Test
    void theLongestDurationsSaturateInsteadOfOverflowing() throws Exception {
        Duration forever = Duration.ofSeconds(Long.MAX_VALUE);
        try (var f = new ServerFixture(b -> b.heartbeat(forever).headerTimeout(forever))) {
            var list = f.send("GET", "/api/jobs", null);
            try (var sse = SseClient.open(f.http, f.server.uri().resolve("/api/events"), null)) {
                assertThat(sse.next(WAIT).comment()).isEqualTo("connected");
                f.runtime.submit("after", ctx -> 1).await();
                assertThat(JSON.readTree(sse.nextEvent(WAIT).data()).get("job").get("name").asText()).isEqualTo("after");
            }
            assertThat(list.statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aClientThatClosesItsStreamFreesTheSlotAtOnce() throws Exception {
        // heartbeats once a minute: the slot must not wait for a write to notice the client left
        try (var f = new ServerFixture(b -> b.maxEventStreams(1).heartbeat(Duration.ofSeconds(60)))) {
            try (var sse = SseClient.open(f.http, f.server.uri().resolve("/api/events"), null)) {
                assertThat(sse.next(WAIT).comment()).isEqualTo("connected");
                f.awaitStreams(1);
            }
            long start = System.nanoTime();
            f.awaitStreams(0);
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(took).isLessThan(Duration.ofSeconds(5));
            try (var again = SseClient.open(f.http, f.server.uri().resolve("/api/events"), null)) {
                assertThat(again.response.statusCode()).isEqualTo(200);
            }
        }
    }

    @Test
    void closingTheServerAfterTheRuntimeDeliversTheShutdownCancellations() throws Exception {
        var f = new ServerFixture(b -> b);
        List<SseClient.Event> events;
        var h = f.runtime.submit(dev.weft.jobs.JobSpec.named("interrupted-by-shutdown").body(ctx -> {
            new java.util.concurrent.CountDownLatch(1).await(); // until the shutdown interrupts it
            return "never";
        }));
        try (var sse = SseClient.open(f.http, f.server.uri().resolve("/api/events"), null)) {
            assertThat(sse.next(WAIT).comment()).isEqualTo("connected");

            f.close(); // runtime first, then the server

            events = sse.untilEnd(WAIT);
        }
        JsonNode finished = null;
        for (var e : events) {
            JsonNode n = JSON.readTree(e.data());
            if (n.get("type").asText().equals("FINISHED") && n.get("job").get("id").asText().equals(h.id())) {
                finished = n;
            }
        }
        assertThat(finished).as("FINISHED of the running job among " + events).isNotNull();
        assertThat(finished.get("job").get("state").asText()).isEqualTo("CANCELLED");
        assertThat(finished.get("job").get("cancellationReason").get("kind").asText()).isEqualTo("SHUTDOWN");
    }
}
