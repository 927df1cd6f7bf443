package dev.weft.http;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.http.logback.JobLogAppender;
import dev.weft.jobs.JobSpec;
import dev.weft.jobs.JobState;
import dev.weft.scope.Join;
import dev.weft.scope.Scope;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.weft.http.ServerFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

/** The endpoints the dashboard needs beyond the jobs API, over HTTP. */
class DashboardApiTest {

    private static final String[] JSON_TYPE = {"Content-Type", "application/json"};

    @Test
    void theListSearchesNameKeyAndIdAndFiltersByGroup() throws Exception {
        try (var f = new ServerFixture(b -> b)) {
            var report = f.runtime.submit(JobSpec.named("monthly-report").key("tenant-7").group("reports")
                    .body(Integer.class, ctx -> 1));
            var mail = f.runtime.submit(JobSpec.named("mail").group("mail").body(ctx -> 2));
            report.await();
            mail.await();

            assertThat(ids(f.send("GET", "/api/jobs?q=REPORT", null).body())).containsExactly(report.id());
            assertThat(ids(f.send("GET", "/api/jobs?q=tenant-7", null).body())).containsExactly(report.id());
            assertThat(ids(f.send("GET", "/api/jobs?q=" + mail.id().substring(24), null).body()))
                    .containsExactly(mail.id());
            assertThat(ids(f.send("GET", "/api/jobs?group=mail", null).body())).containsExactly(mail.id());
            assertThat(ids(f.send("GET", "/api/jobs?type=none", null).body())).isEmpty();
            var tooLong = f.send("GET", "/api/jobs?q=" + "x".repeat(201), null);
            assertThat(tooLong.statusCode()).isEqualTo(400);
            assertThat(json(tooLong.body()).get("error").asText()).contains("at most 200");
        }
    }

    @Test
    void aFailedJobIsRetriedAndAFinishedOneDeletedButARunningOneIsRefusedBoth() throws Exception {
        var runs = new AtomicInteger();
        try (var f = new ServerFixture(b -> b)) {
            var failed = f.runtime.submit(JobSpec.named("flaky").body(String.class, ctx -> {
                if (runs.incrementAndGet() == 1) {
                    throw new IOException("upstream down");
                }
                return "ok";
            }));
            awaitEnd(failed);
            var running = f.gatedJob("busy");

            var retry = f.send("POST", "/api/jobs/" + failed.id() + "/retry", null, JSON_TYPE);
            var retryRunning = f.send("POST", "/api/jobs/" + running.id() + "/retry", null, JSON_TYPE);
            var deleteRunning = f.send("DELETE", "/api/jobs/" + running.id(), null, JSON_TYPE);

            assertThat(retry.statusCode()).as(retry.body()).isEqualTo(200);
            assertThat(retry.headers().firstValue("Location")).hasValue("/api/jobs/" + failed.id());
            JsonNode again = json(retry.body());
            assertThat(again.get("id").asText()).isEqualTo(failed.id());
            assertThat(again.has("retryOf")).isFalse();
            assertThat(again.get("earlierRuns")).hasSize(1);
            JsonNode earlier = again.get("earlierRuns").get(0);
            assertThat(earlier.get("state").asText()).isEqualTo("FAILED");
            assertThat(earlier.get("firstAttempt").asInt()).isEqualTo(1);
            assertThat(earlier.get("lastAttempt").asInt()).isEqualTo(1);
            assertThat(earlier.get("error").get("message").asText()).isEqualTo("upstream down");
            assertThat(f.runtime.handle(failed.id()).orElseThrow().await()).isEqualTo("ok");
            JsonNode after = json(f.send("GET", "/api/jobs/" + failed.id(), null).body());
            assertThat(after.get("state").asText()).isEqualTo("SUCCEEDED");
            assertThat(after.get("attempt").asInt()).isEqualTo(2);
            assertThat(after.get("earlierRuns").get(0).get("error").get("message").asText()).isEqualTo("upstream down");
            assertThat(retryRunning.statusCode()).isEqualTo(409);
            assertThat(json(retryRunning.body()).get("error").asText()).contains("is RUNNING");
            assertThat(deleteRunning.statusCode()).isEqualTo(409);
            assertThat(json(deleteRunning.body()).get("error").asText()).contains("cancel it first");

            var delete = f.send("DELETE", "/api/jobs/" + failed.id(), null, JSON_TYPE);
            assertThat(delete.statusCode()).isEqualTo(200);
            assertThat(f.runtime.find(failed.id())).isEmpty();
            assertThat(f.send("GET", "/api/jobs/" + failed.id(), null).statusCode()).isEqualTo(404);
        }
    }

    @Test
    void retryAndDeleteAreGuardedLikeTheOtherWrites() throws Exception {
        try (var f = new ServerFixture(b -> b.bearerToken("s3cret"))) {
            var done = f.runtime.submit(JobSpec.named("done").body(ctx -> 1));
            awaitEnd(done);

            var noToken = f.send("DELETE", "/api/jobs/" + done.id(), null, JSON_TYPE);
            var foreign = f.send("POST", "/api/jobs/" + done.id() + "/retry", null, "Content-Type",
                    "application/json", "Authorization", "Bearer s3cret", "Origin", "http://evil.example");
            var plain = f.send("DELETE", "/api/jobs/" + done.id(), null, "Authorization", "Bearer s3cret");

            assertThat(noToken.statusCode()).isEqualTo(401);
            assertThat(foreign.statusCode()).isEqualTo(403);
            assertThat(plain.statusCode()).isEqualTo(415);
            assertThat(f.runtime.list(dev.weft.jobs.JobQuery.all()).total()).isEqualTo(1);
            assertThat(f.runtime.find(done.id())).isPresent();
        }
    }

    @Test
    void throughputCountsTheJobsThatEndedThisMinuteByOutcome() throws Exception {
        try (var f = new ServerFixture(b -> b)) {
            awaitEnd(f.runtime.submit(JobSpec.named("ok").body(ctx -> 1)));
            awaitEnd(f.runtime.submit(JobSpec.named("bad").body(ctx -> {
                throw new IOException("no");
            })));
            var gated = f.gatedJob("stopped");
            f.runtime.cancel(gated.id(), "enough");
            awaitEnd(gated);

            JsonNode minutes = awaitThroughput(f, 3);

            assertThat(minutes.size()).isEqualTo(60);
            JsonNode last = minutes.get(59);
            assertThat(last.get("succeeded").asInt()).isEqualTo(1);
            assertThat(last.get("failed").asInt()).isEqualTo(1);
            assertThat(last.get("cancelled").asInt()).isEqualTo(1);
        }
    }

    @Test
    void nodesListTheInMemoryRuntimeAsOneAliveNode() throws Exception {
        try (var f = new ServerFixture(b -> b)) {
            f.gatedJob("running");
            JsonNode nodes = json(f.send("GET", "/api/nodes", null).body()).get("nodes");

            assertThat(nodes.size()).isEqualTo(1);
            assertThat(nodes.get(0).get("state").asText()).isEqualTo("ALIVE");
            assertThat(nodes.get(0).get("heartbeatAge").asText()).startsWith("PT");
            assertThat(nodes.get(0).get("version").asText()).isNotBlank();
        }
    }

    @Test
    void theTaskTreeOfAJobWithTenThousandTasksCountsThemAllAndListsOnlyARunningFew() throws Exception {
        var started = new AtomicInteger();
        var allStarted = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        try (var f = new ServerFixture(b -> b)) {
            var job = f.runtime.submit(JobSpec.named("fan-out").body(ctx -> {
                try (var pages = Scope.named("pages").open(Join.<Integer>allSuccessful())) {
                    for (int i = 0; i < 10_000; i++) {
                        pages.fork("page-" + i, () -> {
                            if (started.incrementAndGet() == 10_000) {
                                allStarted.countDown();
                            }
                            release.await();
                            return 1;
                        });
                    }
                    pages.join();
                }
                return null;
            }));
            allStarted.await();
            try {
                var r = f.send("GET", "/api/jobs/" + job.id() + "/tree", null);
                assertThat(r.statusCode()).isEqualTo(200);
                JsonNode pages = json(r.body()).get("root").get("children").get(0);

                assertThat(pages.get("name").asText()).isEqualTo("pages");
                assertThat(pages.get("tasks").get("total").asInt()).isEqualTo(10_000);
                assertThat(pages.get("tasks").get("byState").get("RUNNING").asInt()).isEqualTo(10_000);
                assertThat(pages.get("tasks").get("running").size()).isEqualTo(TaskTree.LISTED);
                assertThat(r.body().length()).isLessThan(30_000);
            } finally {
                release.countDown();
            }
            awaitEnd(job);
            JsonNode ended = json(f.send("GET", "/api/jobs/" + job.id() + "/tree", null).body());
            assertThat(ended.get("root").isNull()).isTrue();
            assertThat(ended.get("state").asText()).isEqualTo("SUCCEEDED");
        }
    }

    @Test
    void aJobsLogLinesAtInfoAndAboveAreServedFromTheAppender() throws Exception {
        var logs = new JobLogs(10, 10);
        var appender = new JobLogAppender();
        appender.setLogs(logs);
        Logger logger = (Logger) LoggerFactory.getLogger("dashboard.test");
        appender.setContext(logger.getLoggerContext());
        appender.start();
        logger.setLevel(Level.DEBUG);
        logger.setAdditive(false);
        logger.addAppender(appender);
        try (var f = new ServerFixture(b -> b, api -> api.jobLogs(logs))) {
            var job = f.runtime.submit(JobSpec.named("chatty").body(ctx -> {
                logger.debug("too fine to keep");
                logger.info("step {} done", 1);
                logger.warn("slow upstream", new IOException("timeout"));
                return null;
            }));
            awaitEnd(job);
            LoggerFactory.getLogger("dashboard.test").info("not a job's");

            JsonNode body = json(f.send("GET", "/api/jobs/" + job.id() + "/logs?limit=5", null).body());

            List<String> lines = new ArrayList<>();
            body.get("lines").forEach(l -> lines.add(l.get("level").asText() + " " + l.get("message").asText()));
            assertThat(lines).containsExactly("INFO step 1 done", "WARN slow upstream");
            assertThat(body.get("lines").get(1).get("error").asText()).isEqualTo("java.io.IOException: timeout");
            assertThat(body.get("capturing").asBoolean()).isTrue();
        } finally {
            logger.detachAppender(appender);
            appender.stop();
        }
    }

    private static void awaitEnd(dev.weft.jobs.JobHandle<?> h) throws InterruptedException {
        assertThat(h.awaitCompletion(ServerFixture.WAIT)).isTrue();
    }

    private static JsonNode awaitThroughput(ServerFixture f, int ended) throws Exception {
        long deadline = System.nanoTime() + ServerFixture.WAIT.toNanos();
        while (true) {
            JsonNode minutes = json(f.send("GET", "/api/throughput", null).body()).get("minutes");
            int sum = 0;
            for (JsonNode m : minutes) {
                sum += m.get("succeeded").asInt() + m.get("failed").asInt() + m.get("cancelled").asInt();
            }
            if (sum >= ended || System.nanoTime() > deadline) {
                return minutes;
            }
            Thread.sleep(20); // the count follows the FINISHED events, delivered on the subscription's thread
        }
    }

    private static List<String> ids(String page) throws IOException {
        List<String> ids = new ArrayList<>();
        json(page).get("jobs").forEach(j -> ids.add(j.get("id").asText()));
        return ids;
    }
}
