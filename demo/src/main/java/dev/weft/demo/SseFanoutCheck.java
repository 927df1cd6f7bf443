package dev.weft.demo;

import dev.weft.http.HttpConfig;
import dev.weft.http.JobApi;
import dev.weft.http.WeftHttpServer;
import dev.weft.jobs.JobHandle;
import dev.weft.jobs.JobRuntime;
import dev.weft.jobs.JobSpec;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Manual check (docs/http.md, "Load check"): opens {@code subscribers} streams of {@code GET /api/events}, runs
 * {@code jobs} jobs, and checks that every subscriber saw every job's FINISHED event. A subscriber dropped for
 * falling behind reconnects with Last-Event-ID (counted). Bounded: gives up after 120 s.
 *
 * <pre>
 *   java --enable-preview -cp demo/target/weft-demo.jar dev.weft.demo.SseFanoutCheck [subscribers=200] [jobs=500]
 * </pre>
 */
public final class SseFanoutCheck {

    private SseFanoutCheck() {
    }

    public static void main(String[] args) throws Exception {
        int subscribers = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int jobs = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        try (JobRuntime runtime = JobRuntime.builder().name("fanout").maxRunning(64).maxQueued(jobs)
                .progressInterval(Duration.ofMillis(50)).shutdownGrace(Duration.ZERO).build();
             WeftHttpServer server = WeftHttpServer.start(JobApi.builder(runtime)
                     .config(HttpConfig.builder().port(0).maxEventStreams(subscribers + 10).build()).build());
             HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            URI events = URI.create(server.uri() + "/api/events");
            List<Set<String>> finished = new ArrayList<>();
            var connected = new CountDownLatch(subscribers);
            var reconnects = new AtomicInteger();
            var frames = new AtomicLong();
            var stop = new java.util.concurrent.atomic.AtomicBoolean();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < subscribers; i++) {
                Set<String> seen = ConcurrentHashMap.newKeySet();
                finished.add(seen);
                threads.add(Thread.ofVirtual().name("subscriber-" + i).start(() -> {
                    String lastId = null;
                    boolean first = true;
                    while (!stop.get() && System.nanoTime() < deadline) {
                        var req = HttpRequest.newBuilder(events);
                        if (lastId != null) {
                            req.header("Last-Event-ID", lastId);
                        }
                        try {
                            var resp = http.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
                            if (first) {
                                connected.countDown();
                                first = false;
                            } else {
                                reconnects.incrementAndGet();
                            }
                            try (var in = new BufferedReader(new InputStreamReader(resp.body(), StandardCharsets.UTF_8))) {
                                String line;
                                while (!stop.get() && (line = in.readLine()) != null) {
                                    if (line.startsWith("id: ")) {
                                        lastId = line.substring(4);
                                    } else if (line.startsWith("data: ")) {
                                        frames.incrementAndGet();
                                        if (line.contains("\"type\":\"FINISHED\"")) {
                                            int at = line.indexOf("\"id\":\"") + 6;
                                            seen.add(line.substring(at, line.indexOf('"', at)));
                                        }
                                    }
                                }
                            }
                        } catch (Exception e) {
                            if (stop.get()) {
                                return;
                            }
                        }
                    }
                }));
            }
            if (!connected.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("subscribers did not all connect");
            }
            Thread.sleep(200); // let the last streams register with the hub
            long start = System.nanoTime();
            var handles = new ArrayList<JobHandle<Integer>>();
            for (int j = 0; j < jobs; j++) {
                handles.add(runtime.submit(JobSpec.named("fan").body(ctx -> {
                    ctx.progress().setTotal(5);
                    for (int s = 0; s < 5; s++) {
                        Thread.sleep(20);
                        ctx.progress().advance();
                    }
                    return 5;
                })));
            }
            Set<String> ids = ConcurrentHashMap.newKeySet();
            for (var h : handles) {
                h.awaitCompletion(Duration.ofSeconds(60));
                ids.add(h.id());
            }
            long jobsDone = System.nanoTime();
            int complete;
            do {
                complete = (int) finished.stream().filter(s -> s.containsAll(ids)).count();
                if (complete < subscribers) {
                    Thread.sleep(50);
                }
            } while (complete < subscribers && System.nanoTime() < deadline);
            long allSeen = System.nanoTime();
            stop.set(true);
            System.out.printf("subscribers: %d, jobs: %d, subscribers that saw every FINISHED: %d%n",
                    subscribers, jobs, complete);
            System.out.printf("jobs ran in %d ms; last subscriber complete %d ms after the last job ended%n",
                    (jobsDone - start) / 1_000_000, (allSeen - jobsDone) / 1_000_000);
            System.out.printf("event frames received in all: %d (%.0f/s); reconnects after overflow: %d%n",
                    frames.get(), frames.get() / ((allSeen - start) / 1e9), reconnects.get());
            int min = finished.stream().mapToInt(Set::size).min().orElse(0);
            System.out.printf("fewest FINISHED events seen by one subscriber: %d of %d%n", min, jobs);
            server.close(); // ends the streams, so the readers see end of stream
            for (Thread t : threads) {
                t.join(Duration.ofSeconds(10));
            }
            if (complete < subscribers) {
                System.exit(1);
            }
        }
    }
}
