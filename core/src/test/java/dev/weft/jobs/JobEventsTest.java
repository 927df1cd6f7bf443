package dev.weft.jobs;

import dev.weft.testing.Waits;

import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.weft.scope.Join;
import dev.weft.scope.Scope;
import dev.weft.time.ManualTimeSource;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.MDC;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

import static dev.weft.testing.Waits.await;
import static dev.weft.jobs.JobWaits.finished;
import static dev.weft.testing.Waits.until;
import static org.assertj.core.api.Assertions.assertThat;

class JobEventsTest {

    private static JobRuntime.Builder runtime() {
        return JobRuntime.builder().shutdownGrace(Duration.ZERO);
    }

    private static List<JobEvent.Type> typesOf(List<JobEvent> events, String id) {
        return events.stream().filter(e -> e.job().id().equals(id)).map(JobEvent::type).toList();
    }

    @Test
    void aJobsEventsArriveSubmittedStartedFinishedWithIncreasingSequenceNumbers() throws Exception {
        List<JobEvent> events = new CopyOnWriteArrayList<>();
        try (var rt = runtime().build()) {
            rt.subscribe(events::add);
            var h = rt.submit("one", ctx -> 1);
            finished(h);
            until(() -> typesOf(events, h.id()).contains(JobEvent.Type.FINISHED));
            assertThat(typesOf(events, h.id()))
                    .containsExactly(JobEvent.Type.SUBMITTED, JobEvent.Type.STARTED, JobEvent.Type.FINISHED);
            assertThat(events.stream().mapToLong(JobEvent::sequence).toArray()).isSorted().doesNotHaveDuplicates();
            assertThat(events.getFirst().job().state()).isEqualTo(JobState.QUEUED);
            assertThat(events.getLast().job().state()).isEqualTo(JobState.SUCCEEDED);
            assertThat(events.getLast().job().result()).isEqualTo("1");
        }
    }

    @Test
    void progressChangesArriveAsProgressEventsSampledPerInterval() throws Exception {
        var time = new ManualTimeSource();
        var reported = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        List<JobEvent> progress = new CopyOnWriteArrayList<>();
        try (var rt = runtime().timeSource(time).progressInterval(Duration.ofSeconds(1)).build()) {
            rt.subscribe(e -> {
                if (e.type() == JobEvent.Type.PROGRESS) {
                    progress.add(e);
                }
            });
            var h = rt.submit("import", ctx -> {
                ctx.progress().setTotal(10);
                ctx.progress().advance(4);
                reported.countDown();
                release.await();
                return null;
            });
            await(reported);
            time.awaitSleepers(1); // the sampler
            time.advance(Duration.ofSeconds(1));
            until(() -> !progress.isEmpty());
            assertThat(progress.getFirst().job().id()).isEqualTo(h.id());
            assertThat(progress.getFirst().job().progress().done()).isEqualTo(4);
            assertThat(progress.getFirst().job().progress().total()).isEqualTo(10);
            release.countDown();
            finished(h);
        }
    }

    @Test
    void everyThreadOfAJobHasTheJobIdInItsMdc() throws Exception {
        Map<String, String> seen = new ConcurrentHashMap<>();
        try (var rt = runtime().build()) {
            var h = rt.submit("mdc", ctx -> {
                seen.put("body", String.valueOf(MDC.get(JobRuntime.MDC_JOB_ID)));
                ctx.scope().fork("child", () -> {
                    seen.put("child", String.valueOf(MDC.get(JobRuntime.MDC_JOB_ID)));
                    try (var nested = Scope.named("nested").open(Join.allSuccessful())) {
                        nested.fork("grandchild", () -> seen.put("grandchild", String.valueOf(MDC.get(JobRuntime.MDC_JOB_ID))));
                        nested.join();
                    }
                    return null;
                });
                return null;
            });
            finished(h);
            assertThat(seen).containsOnlyKeys("body", "child", "grandchild").allSatisfy((k, v) -> assertThat(v).isEqualTo(h.id()));
        }
    }

    @Test
    void everyLineTheRuntimeLogsOnAJobsThreadCarriesTheJobIdInTheMdc() throws Exception {
        try (var logs = new CapturedLogs(); var rt = runtime().build()) {
            var ok = rt.submit("fine", ctx -> 1);
            var bad = rt.submit("broken", ctx -> {
                throw new IOException("boom");
            });
            finished(ok);
            finished(bad);
            List<ILoggingEvent> onJobThreads = logs.events().stream()
                    .filter(e -> e.getThreadName().startsWith("jobs/")).toList();
            assertThat(onJobThreads).hasSizeGreaterThanOrEqualTo(4); // started + ended, twice
            assertThat(onJobThreads).allSatisfy(e -> assertThat(e.getMDCPropertyMap())
                    .containsEntry(JobRuntime.MDC_JOB_ID, e.getThreadName().substring(e.getThreadName().indexOf('#') + 1)));
        }
    }

    @Test
    void theEndOfAJobIsLoggedWithItsIdStateAndDuration() throws Exception {
        var time = new ManualTimeSource();
        var started = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        try (var logs = new CapturedLogs(); var rt = runtime().timeSource(time).build()) {
            var h = rt.submit("timed", ctx -> {
                started.countDown();
                release.await();
                return 1;
            });
            await(started);
            time.advance(Duration.ofMillis(1234));
            release.countDown();
            finished(h);
            assertThat(logs.containing("job " + h.id() + " (timed) SUCCEEDED in 1234 ms")).hasSize(1);
        }
    }

    @Test
    void flightRecorderEventsTraceSubmitStartAndFinish(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("jobs.jfr");
        String id;
        try (var recording = new Recording()) {
            recording.enable("dev.weft.JobSubmitted");
            recording.enable("dev.weft.JobStarted");
            recording.enable("dev.weft.JobFinished");
            recording.start();
            try (var rt = runtime().build()) {
                var h = rt.submit(JobSpec.named("recorded").key("jfr-key").body(Integer.class, ctx -> 1));
                finished(h);
                id = h.id();
            }
            recording.stop();
            recording.dump(file);
        }
        List<RecordedEvent> ours = RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().startsWith("dev.weft.Job"))
                .filter(e -> id.equals(e.getString("jobId"))).toList();
        assertThat(ours).extracting(e -> e.getEventType().getName())
                .containsExactlyInAnyOrder("dev.weft.JobSubmitted", "dev.weft.JobStarted", "dev.weft.JobFinished");
        RecordedEvent fin = ours.stream().filter(e -> e.getEventType().getName().equals("dev.weft.JobFinished")).findFirst().orElseThrow();
        assertThat(fin.getString("state")).isEqualTo("SUCCEEDED");
        assertThat(fin.getString("name")).isEqualTo("recorded");
        assertThat(fin.getInt("attempts")).isEqualTo(1);
    }

    @Test
    void aListenerThatThrowsIsLoggedAndTheOthersStillGetEveryEvent() throws Exception {
        List<JobEvent> events = new CopyOnWriteArrayList<>();
        try (var logs = new CapturedLogs(); var rt = runtime().build()) {
            rt.subscribe(e -> {
                throw new IllegalStateException("listener bug");
            });
            rt.subscribe(events::add);
            var h = rt.submit("x", ctx -> 1);
            finished(h);
            until(() -> typesOf(events, h.id()).size() == 3);
            until(() -> logs.containing("threw on").size() == 3); // each subscription has its own thread
        }
    }

    @Test
    void aClosedSubscriptionGetsNoMoreEvents() throws Exception {
        List<JobEvent> events = new CopyOnWriteArrayList<>();
        try (var rt = runtime().build()) {
            var sub = rt.subscribe(events::add);
            finished(rt.submit("before", ctx -> 1));
            sub.close();
            int seen = events.size();
            finished(rt.submit("after", ctx -> 1));
            assertThat(events).hasSize(seen);
            assertThat(events).allSatisfy(e -> assertThat(e.job().name()).isEqualTo("before"));
        }
    }

    @Test
    void aListenerThatBlocksDelaysNeitherSubmitNorTheJobs() throws Exception {
        var release = new CountDownLatch(1);
        try (var rt = runtime().maxRunning(4).build()) {
            rt.subscribe(e -> {
                try {
                    release.await();
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            });
            var done = new java.util.concurrent.CompletableFuture<List<JobState>>();
            Thread.ofVirtual().start(() -> {
                try {
                    var handles = new java.util.ArrayList<JobHandle<Integer>>();
                    for (int i = 0; i < 100; i++) {
                        int n = i;
                        handles.add(rt.submit("job", ctx -> n));
                    }
                    var states = new java.util.ArrayList<JobState>();
                    for (var h : handles) {
                        states.add(finished(h).state());
                    }
                    done.complete(states);
                } catch (Throwable t) {
                    done.completeExceptionally(t);
                }
            });
            try {
                assertThat(done.get(10, java.util.concurrent.TimeUnit.SECONDS))
                        .hasSize(100).containsOnly(JobState.SUCCEEDED);
            } finally {
                release.countDown();
            }
        }
    }

    @Test
    void aListenerThatFallsBehindItsBacklogIsToldHowManyEventsItLostAndWhere() throws Exception {
        var release = new CountDownLatch(1);
        var inFirstCall = new CountDownLatch(1);
        List<Object> seen = new CopyOnWriteArrayList<>();
        try (var rt = runtime().listenerBacklog(10).progressInterval(Duration.ofDays(1)).build()) {
            rt.subscribe(new JobListener() {
                @Override
                public void onEvent(JobEvent event) {
                    seen.add(event.type());
                    inFirstCall.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }

                @Override
                public void onEventsDropped(long count) {
                    seen.add(count);
                }
            });
            var first = rt.submit("first", ctx -> 1);
            await(inFirstCall); // the listener holds the first event; its backlog fills behind it
            finished(first);
            for (int i = 0; i < 20; i++) {
                finished(rt.submit("more", ctx -> 1)); // 3 events each
            }
            release.countDown();
            until(() -> seen.size() == 11); // the backlog has drained; the gap waits for the next event
            var last = rt.submit("last", ctx -> 1);
            finished(last);
            until(() -> seen.size() >= 1 + 10 + 1 + 3);
            // 1 in the listener, 10 queued behind it, then the gap, then the events that came after
            long events = 1 + 2 + 20 * 3;
            assertThat(seen.get(11)).isEqualTo(events - 1 - 10);
            assertThat(seen.subList(12, 15)).containsExactly(JobEvent.Type.SUBMITTED, JobEvent.Type.STARTED,
                    JobEvent.Type.FINISHED);
        }
        assertThat(seen).hasSize(15);
    }

    @Test
    void onceUnsubscribeReturnsTheListenerIsNotRunningAndIsNeverCalledAgain() throws Exception {
        var inListener = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        var calls = new java.util.concurrent.atomic.AtomicInteger();
        var running = new java.util.concurrent.atomic.AtomicBoolean();
        try (var rt = runtime().build()) {
            var sub = rt.subscribe(e -> {
                running.set(true);
                calls.incrementAndGet();
                inListener.countDown();
                try {
                    release.await();
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
                running.set(false);
            });
            for (int i = 0; i < 10; i++) {
                rt.submit("job", ctx -> 1);
            }
            await(inListener);
            var closed = new java.util.concurrent.CompletableFuture<Void>();
            Thread.ofVirtual().start(() -> {
                sub.close();
                closed.complete(null);
            });
            release.countDown();
            closed.get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(running).isFalse();
            int after = calls.get();
            finished(rt.submit("later", ctx -> 1));
            assertThat(calls).hasValue(after);
        }
    }

    @Test
    void closeDeliversEveryEventBeforeItReturns() throws Exception {
        List<JobEvent> events = new CopyOnWriteArrayList<>();
        var release = new CountDownLatch(1);
        var rt = runtime().progressInterval(Duration.ofDays(1)).build();
        rt.subscribe(e -> {
            try {
                release.await();
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            events.add(e);
        });
        var handles = new java.util.ArrayList<JobHandle<Integer>>();
        for (int i = 0; i < 50; i++) {
            handles.add(rt.submit("job", ctx -> 1));
        }
        for (var h : handles) {
            finished(h);
        }
        release.countDown();
        rt.close();
        assertThat(events).hasSize(150);
        assertThat(events.stream().filter(JobEvent::isTerminal).count()).isEqualTo(50);
    }

    @Test
    void aListenerThatUnsubscribesItselfGetsNoFurtherEvent() throws Exception {
        var calls = new java.util.concurrent.atomic.AtomicInteger();
        var self = new java.util.concurrent.atomic.AtomicReference<JobSubscription>();
        var subscribed = new CountDownLatch(1);
        try (var rt = runtime().build()) {
            self.set(rt.subscribe(e -> {
                try {
                    subscribed.await();
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
                calls.incrementAndGet();
                self.get().close();
            }));
            subscribed.countDown();
            finished(rt.submit("a", ctx -> 1));
            finished(rt.submit("b", ctx -> 1));
        }
        assertThat(calls).hasValue(1);
    }
}
