package dev.weft.postgres;

import com.zaxxer.hikari.HikariDataSource;
import dev.weft.jobs.JobEvent;
import dev.weft.jobs.JobHandle;
import dev.weft.jobs.JobQuery;
import dev.weft.jobs.JobRuntime;
import dev.weft.jobs.JobSpec;
import dev.weft.jobs.JobState;
import dev.weft.jobs.JobType;
import dev.weft.jobs.JobCancelledException;
import dev.weft.jobs.JobTimedOutException;
import dev.weft.jobs.NoSuchJobException;
import dev.weft.scope.CancellationReason;
import dev.weft.scope.Retry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The job runtime on a real PostgreSQL: typed jobs from submit to their end, through the store. */
class DurableJobsTest {

    record Order(String id, int items) {
    }

    record Receipt(String order, int total) {
    }

    static final Duration WAIT = Duration.ofSeconds(60);
    static HikariDataSource db;

    @BeforeAll
    static void database() {
        db = PostgresFixture.newDatabase();
    }

    @AfterAll
    static void closeDatabase() {
        db.close();
    }

    static JobRuntime.Builder runtime(String node, JobType<?, ?>... types) {
        return JobRuntime.builder().store(PostgresJobStore.builder(db).build()).nodeName(node).register(types)
                .shutdownGrace(Duration.ZERO);
    }

    static final JobType<Order, Receipt> CHECKOUT = JobType.of("checkout", Order.class, Receipt.class,
            (ctx, o) -> new Receipt(o.id(), o.items() * 10));

    @Test
    void aTypedJobRunsAndItsResultComesBackFromTheStore() throws Exception {
        List<JobEvent> events = new CopyOnWriteArrayList<>();
        var finished = new CountDownLatch(1);
        try (var rt = runtime("typed", CHECKOUT).build()) {
            rt.subscribe(e -> {
                events.add(e);
                if (e.isTerminal()) {
                    finished.countDown();
                }
            });
            JobHandle<Receipt> h = rt.submit(CHECKOUT, new Order("o-1", 3));
            assertThat(h.await(WAIT)).isEqualTo(new Receipt("o-1", 30));
            assertThat(finished.await(60, TimeUnit.SECONDS)).isTrue();
            var record = rt.get(h.id());
            assertThat(record.state()).isEqualTo(JobState.SUCCEEDED);
            assertThat(record.attempt()).isEqualTo(1);
            assertThat(record.result()).contains("o-1").contains("30");
            assertThat(record.startedAt()).isNotNull();
            assertThat(record.finishedAt()).isNotNull();
            List<JobEvent.Type> mine = events.stream().filter(e -> e.job().id().equals(h.id())).map(JobEvent::type)
                    .toList();
            assertThat(mine).startsWith(JobEvent.Type.SUBMITTED, JobEvent.Type.STARTED).endsWith(JobEvent.Type.FINISHED);
            List<Long> ids = events.stream().map(JobEvent::sequence).toList();
            assertThat(ids).isSorted().doesNotHaveDuplicates().allMatch(id -> id > 0);
        }
    }

    @Test
    void aClosureJobIsRefusedWithHowToRegisterAType() {
        try (var rt = runtime("closure", CHECKOUT).build()) {
            assertThatThrownBy(() -> rt.submit("adhoc", ctx -> 1))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("JobType.of")
                    .hasMessageContaining("register");
        }
    }

    @Test
    void badPayloadsAreRefusedAtSubmitAndNothingIsWritten() {
        var anything = JobType.of("anything", Object.class, Void.class, (ctx, p) -> null);
        var text = JobType.of("text", String.class, Void.class, (ctx, p) -> null);
        try (var rt = runtime("bad-input", anything, text).build()) {
            long before = rt.list(JobQuery.all()).total();
            assertThatThrownBy(() -> rt.submit(anything, new Object()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("cannot be stored");
            assertThatThrownBy(() -> rt.submit(text, "x".repeat(1024 * 1024 + 1)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("at most 1048576 bytes");
            var unknown = JobType.of("unknown", String.class, Void.class, (ctx, p) -> null);
            assertThatThrownBy(() -> rt.submit(unknown, "x"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("not registered");
            assertThatThrownBy(() -> rt.submit(JobSpec.named("text").retry(Retry.attempts(2)).run(text, "x")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("JobType.withRetry");
            assertThat(rt.list(JobQuery.all()).total()).isEqualTo(before);
        }
    }

    @Test
    void sqlLookingStringsAreStoredLiterally() throws Exception {
        String evil = "'); DROP TABLE weft_jobs; --";
        var echo = JobType.of("echo", String.class, String.class, (ctx, s) -> s);
        try (var rt = runtime("literal", echo).build()) {
            var h = rt.submit(JobSpec.named(evil.replace("/", "")).key(evil).group(evil).run(echo, evil));
            assertThat(h.await(WAIT)).isEqualTo(evil);
            var r = rt.get(h.id());
            assertThat(r.name()).isEqualTo(evil);
            assertThat(r.key()).isEqualTo(evil);
            assertThat(r.group()).isEqualTo(evil);
            var q = rt.submit(JobSpec.named("echo").run(echo, "x"));
            q.await(WAIT);
            assertThat(rt.list(new JobQuery(null, null, evil, 0, 10)).jobs()).extracting(x -> x.id())
                    .containsExactly(h.id());
        }
    }

    @Test
    void listSearchesNameKeyAndIdAndFiltersByGroupAndTypeWithWildcardsTakenLiterally() throws Exception {
        var echo = JobType.of("echo", String.class, String.class, (ctx, s) -> s);
        var shout = JobType.of("shout", String.class, String.class, (ctx, s) -> s.toUpperCase());
        try (var rt = runtime("search", echo, shout).build()) {
            var report = rt.submit(JobSpec.named("Monthly-Report").key("tenant_7").group("reports").run(echo, "r"));
            var mail = rt.submit(JobSpec.named("mail").key("tenant-8").group("mail").run(shout, "m"));
            report.await(WAIT);
            mail.await(WAIT);

            assertThat(ids(rt.list(JobQuery.all().search("REPORT")))).containsExactly(report.id());
            assertThat(ids(rt.list(JobQuery.all().search("tenant")))).containsExactly(mail.id(), report.id());
            assertThat(ids(rt.list(JobQuery.all().search("tenant_")))).containsExactly(report.id());
            assertThat(ids(rt.list(JobQuery.all().search("%")))).isEmpty();
            assertThat(ids(rt.list(JobQuery.all().search(mail.id().substring(24))))).containsExactly(mail.id());
            assertThat(ids(rt.list(JobQuery.all().group("mail")))).containsExactly(mail.id());
            assertThat(ids(rt.list(JobQuery.all().type("echo")))).containsExactly(report.id());
            assertThat(rt.get(mail.id()).type()).isEqualTo("shout");
            assertThat(rt.list(JobQuery.all().type("echo").search("mail")).total()).isZero();
        }
    }

    @Test
    void aFailedJobIsRetriedAsTheSameJobWithItsAttemptsCountedOnAndBothRunsEventsSeenByEveryNode()
            throws Exception {
        var attempts = new java.util.concurrent.atomic.AtomicInteger();
        var flaky = JobType.of("flaky-echo", String.class, String.class, (ctx, s) -> {
            if (attempts.incrementAndGet() == 1) {
                throw new java.io.IOException("upstream down");
            }
            return s + "!";
        });
        List<JobEvent> seenElsewhere = new CopyOnWriteArrayList<>();
        var secondEnd = new CountDownLatch(2);
        try (var rt = runtime("retry", flaky).build(); var other = runtime("retry-watcher").build()) {
            other.subscribe(e -> {
                seenElsewhere.add(e);
                if (e.isTerminal()) {
                    secondEnd.countDown();
                }
            });
            var first = rt.submit(JobSpec.named("echo-it").key("order-7").group("g").run(flaky, "hello"));
            assertThat(first.awaitCompletion(WAIT)).isTrue();
            var failed = rt.get(first.id());
            assertThat(failed.state()).isEqualTo(JobState.FAILED);

            var again = other.retry(first.id()); // any node may retry it

            assertThat(again.id()).isEqualTo(first.id());
            assertThat(first.await(WAIT)).as("a durable handle follows the job by its id").isEqualTo("hello!");
            var r = rt.get(first.id());
            assertThat(r.state()).isEqualTo(JobState.SUCCEEDED);
            assertThat(r.attempt()).isEqualTo(2);
            assertThat(r.maxAttempts()).isEqualTo(2);
            assertThat(r.submittedAt()).isEqualTo(failed.submittedAt());
            assertThat(r.name()).isEqualTo("echo-it");
            assertThat(r.key()).isEqualTo("order-7");
            assertThat(r.group()).isEqualTo("g");
            assertThat(r.type()).isEqualTo("flaky-echo");
            assertThat(r.earlierRuns()).singleElement().satisfies(run -> {
                assertThat(run.firstAttempt()).isEqualTo(1);
                assertThat(run.lastAttempt()).isEqualTo(1);
                assertThat(run.state()).isEqualTo(JobState.FAILED);
                assertThat(run.error().message()).contains("upstream down");
                assertThat(run.finishedAt()).isEqualTo(failed.finishedAt());
            });
            assertThat(rt.list(JobQuery.all()).jobs()).filteredOn(j -> j.name().equals("echo-it")).hasSize(1);
            assertThat(secondEnd.await(60, TimeUnit.SECONDS)).isTrue();
            // (an event carries the row as the tail read it, which may be later than the event)
            assertThat(seenElsewhere).filteredOn(e -> e.job().id().equals(first.id())).extracting(JobEvent::type)
                    .containsSubsequence(JobEvent.Type.SUBMITTED, JobEvent.Type.STARTED, JobEvent.Type.FINISHED,
                            JobEvent.Type.SUBMITTED, JobEvent.Type.STARTED, JobEvent.Type.FINISHED);
            assertThatThrownBy(() -> rt.retry(again.id())).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("is SUCCEEDED");
        }
    }

    @Test
    void aRetryOfAJobWhoseKeyAnotherRunningJobHoldsIsRefusedNamingIt() throws Exception {
        var release = new CountDownLatch(1);
        var started = new CountDownLatch(1);
        var keyed = JobType.of("keyed", String.class, String.class, (ctx, s) -> {
            if (s.equals("fail")) {
                throw new IllegalStateException("no");
            }
            started.countDown();
            release.await();
            return s;
        });
        try (var rt = runtime("keyed", keyed).build()) {
            var failed = rt.submit(JobSpec.named("k").key("acct-1").run(keyed, "fail"));
            assertThat(failed.awaitCompletion(WAIT)).isTrue();
            var holder = rt.submit(JobSpec.named("k").key("acct-1").run(keyed, "hold"));
            assertThat(started.await(60, TimeUnit.SECONDS)).isTrue();

            assertThatThrownBy(() -> rt.retry(failed.id())).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("\"acct-1\"").hasMessageContaining("held by job " + holder.id());
            assertThat(rt.get(failed.id()).state()).isEqualTo(JobState.FAILED);
            release.countDown();
            assertThat(holder.await(WAIT)).isEqualTo("hold");
        }
    }

    @Test
    void aFinishedJobIsDeletedWithItsEventsForEveryNodeAndAQueuedOrRunningOneIsRefused() throws Exception {
        var release = new CountDownLatch(1);
        var started = new CountDownLatch(1);
        var gate = JobType.of("gate", String.class, String.class, (ctx, s) -> {
            started.countDown();
            release.await();
            return s;
        });
        try (var rt = runtime("deleter", gate).build(); var other = runtime("other-node").build()) {
            var h = rt.submit(gate, "x");
            assertThat(started.await(60, TimeUnit.SECONDS)).isTrue();
            assertThatThrownBy(() -> other.delete(h.id())).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("is RUNNING").hasMessageContaining("cancel it first");
            release.countDown();
            assertThat(h.await(WAIT)).isEqualTo("x");

            assertThat(other.delete(h.id())).isTrue();

            assertThat(rt.find(h.id())).isEmpty();
            assertThat(other.find(h.id())).isEmpty();
            try (var c = db.getConnection(); var st = c.createStatement();
                 var rs = st.executeQuery("SELECT count(*) FROM weft_events WHERE job_id = '" + h.id() + "'")) {
                rs.next();
                assertThat(rs.getLong(1)).as("its events are gone too").isZero();
            }
            assertThatThrownBy(() -> rt.delete(h.id())).isInstanceOf(NoSuchJobException.class);
            assertThatThrownBy(() -> rt.delete("not-a-uuid")).isInstanceOf(NoSuchJobException.class);
        }
    }

    private static java.util.List<String> ids(dev.weft.jobs.JobPage page) {
        return page.jobs().stream().map(dev.weft.jobs.JobRecord::id).toList();
    }

    @Test
    void aKeyHeldByAQueuedOrRunningJobReturnsThatJob() throws Exception {
        var started = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        var hold = JobType.of("hold", String.class, String.class, (ctx, s) -> {
            started.countDown();
            release.await();
            return s;
        });
        var other = JobType.of("other", String.class, String.class, (ctx, s) -> s);
        try (var rt = runtime("dedupe", hold, other).build()) {
            var a = rt.submit(JobSpec.named("hold").key("k-1").run(hold, "first"));
            assertThat(started.await(60, TimeUnit.SECONDS)).isTrue();
            var b = rt.submit(JobSpec.named("hold").key("k-1").run(hold, "second"));
            assertThat(b.id()).isEqualTo(a.id());
            assertThatThrownBy(() -> rt.submit(JobSpec.named("other").key("k-1").run(other, "x")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("same type");
            release.countDown();
            assertThat(b.await(WAIT)).isEqualTo("first");
            var c = rt.submit(JobSpec.named("hold").key("k-1").run(hold, "third"));
            assertThat(c.id()).isNotEqualTo(a.id());
            assertThat(c.await(WAIT)).isEqualTo("third");
        }
    }

    @Test
    void aFailingAttemptIsRetriedByTheTypesPolicyThroughTheQueue() throws Exception {
        var calls = new AtomicInteger();
        var flaky = JobType.of("flaky", Void.class, Integer.class, (ctx, p) -> {
            if (calls.incrementAndGet() < 3) {
                throw new IllegalStateException("not yet, call " + calls.get());
            }
            return ctx.attempt();
        }).withRetry(Retry.attempts(3).backoff(Duration.ofMillis(10), 1.0, Duration.ofMillis(10)));
        try (var rt = runtime("retry", flaky).build()) {
            var h = rt.submit(flaky, null);
            assertThat(h.await(WAIT)).isEqualTo(3);
            assertThat(h.record().attempt()).isEqualTo(3);
            assertThat(h.record().maxAttempts()).isEqualTo(3);
        }
    }

    @Test
    void aFailureIsStoredWithItsClassMessageAndCauseChain() throws Exception {
        var failing = JobType.of("failing", Void.class, Void.class, (ctx, p) -> {
            throw new IllegalStateException("outer", new java.io.IOException("disk on fire"));
        });
        try (var rt = runtime("failure", failing).build()) {
            var h = rt.submit(failing, null);
            h.awaitCompletion(WAIT);
            var r = rt.get(h.id());
            assertThat(r.state()).isEqualTo(JobState.FAILED);
            assertThat(r.error().type()).isEqualTo(IllegalStateException.class.getName());
            assertThat(r.error().message()).isEqualTo("outer");
            assertThat(r.error().stackTrace()).contains("Caused by: java.io.IOException: disk on fire");
        }
    }

    @Test
    void cancellingAQueuedJobEndsItBeforeItStartsAndARunningOneInterruptsItsTree() throws Exception {
        var started = new CountDownLatch(1);
        var interrupted = new CountDownLatch(1);
        var ran = new AtomicInteger();
        var block = JobType.of("block", String.class, Void.class, (ctx, s) -> {
            ran.incrementAndGet();
            started.countDown();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                interrupted.countDown();
                throw e;
            }
            return null;
        });
        try (var rt = runtime("cancel", block).maxRunning(1).build()) {
            var running = rt.submit(block, "a");
            assertThat(started.await(60, TimeUnit.SECONDS)).isTrue();
            var queued = rt.submit(block, "b");
            assertThat(rt.cancel(queued.id(), "not needed")).isTrue();
            assertThat(rt.get(queued.id()).state()).isEqualTo(JobState.CANCELLED);
            assertThat(rt.cancel(queued.id(), "again")).isFalse();
            assertThat(rt.cancel(running.id(), "user asked")).isTrue();
            assertThat(interrupted.await(60, TimeUnit.SECONDS)).isTrue();
            assertThatThrownBy(() -> running.await(WAIT)).isInstanceOf(JobCancelledException.class);
            var r = rt.get(running.id());
            assertThat(r.state()).isEqualTo(JobState.CANCELLED);
            assertThat(r.cancellationReason().kind()).isEqualTo(CancellationReason.Kind.EXPLICIT);
            assertThat(r.cancellationReason().detail()).isEqualTo("user asked (cancelled through node cancel)");
            assertThat(ran).hasValue(1);
            assertThatThrownBy(() -> rt.cancel("no-such-job", "x")).isInstanceOf(NoSuchJobException.class);
        }
    }

    @Test
    void aJobPastItsTimeoutEndsTimedOut() throws Exception {
        var sleepy = JobType.of("sleepy", Void.class, Void.class, (ctx, p) -> {
            new CountDownLatch(1).await();
            return null;
        });
        try (var rt = runtime("timeout", sleepy).build()) {
            var h = rt.submit(JobSpec.named("sleepy").timeout(Duration.ofMillis(200)).run(sleepy, null));
            assertThatThrownBy(() -> h.await(WAIT)).isInstanceOf(JobTimedOutException.class);
            assertThat(rt.get(h.id()).cancellationReason().kind()).isEqualTo(CancellationReason.Kind.DEADLINE);
        }
    }

    @Test
    void aJobRunningAtShutdownGoesBackToTheQueueAndTheNextRuntimeRunsIt() throws Exception {
        var started = new CountDownLatch(1);
        var runs = new AtomicInteger();
        var once = new AtomicReference<CountDownLatch>(new CountDownLatch(1));
        var resumable = JobType.of("resumable", String.class, String.class, (ctx, s) -> {
            runs.incrementAndGet();
            started.countDown();
            once.get().await();
            return s + " done";
        });
        var rt1 = runtime("restart-a", resumable).build();
        String id = rt1.submit(resumable, "report").id();
        assertThat(started.await(60, TimeUnit.SECONDS)).isTrue();
        var report = rt1.shutdown(Duration.ZERO);
        assertThat(report.cancelledRunning()).containsExactly(id);
        try (var probe = runtime("restart-probe").build()) {
            var r = probe.get(id);
            assertThat(r.state()).isEqualTo(JobState.QUEUED);
            assertThat(r.attempt()).isZero(); // the interrupted attempt is not counted
            assertThat(r.error().message()).contains("interrupted by a shutdown");
        }
        once.set(new CountDownLatch(0));
        try (var rt2 = runtime("restart-b", resumable).build()) {
            var h = rt2.handle(id).orElseThrow();
            assertThat(h.await(WAIT)).isEqualTo("report done");
            assertThat(rt2.get(id).attempt()).isEqualTo(1);
        }
        assertThat(runs).hasValue(2);
    }

    @Test
    void aTypeThatFailsOnShutdownIsFailedNotRequeued() throws Exception {
        var started = new CountDownLatch(1);
        var strict = JobType.of("strict", Void.class, Void.class, (ctx, p) -> {
            started.countDown();
            new CountDownLatch(1).await();
            return null;
        }).failOnShutdown();
        var rt = runtime("strict", strict).build();
        String id = rt.submit(strict, null).id();
        assertThat(started.await(60, TimeUnit.SECONDS)).isTrue();
        rt.shutdown(Duration.ZERO);
        try (var probe = runtime("strict-probe").build()) {
            assertThat(probe.get(id).state()).isEqualTo(JobState.FAILED);
        }
    }

    @Test
    void historySurvivesTheRuntimeAndIsQueryableFromANewOne() throws Exception {
        List<String> ids = new ArrayList<>();
        try (var rt = runtime("history-a", CHECKOUT).build()) {
            for (int i = 0; i < 5; i++) {
                var h = rt.submit(CHECKOUT, new Order("h-" + i, i));
                h.await(WAIT);
                ids.add(h.id());
            }
        }
        try (var rt = runtime("history-b").build()) {
            for (String id : ids) {
                assertThat(rt.get(id).state()).isEqualTo(JobState.SUCCEEDED);
            }
            assertThat(rt.counts().get(JobState.SUCCEEDED)).isGreaterThanOrEqualTo(5);
        }
    }

    @Test
    void progressIsWrittenWhileRunningAndReadableFromAnotherRuntime() throws Exception {
        var halfway = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        var steps = JobType.of("steps", Void.class, Void.class, (ctx, p) -> {
            ctx.progress().setTotal(10);
            ctx.progress().advance(5);
            halfway.countDown();
            release.await();
            ctx.progress().advance(5);
            return null;
        });
        try (var rt = runtime("progress", steps).progressInterval(Duration.ofMillis(50)).build();
             var reader = runtime("progress-reader").build()) {
            var h = rt.submit(steps, null);
            assertThat(halfway.await(60, TimeUnit.SECONDS)).isTrue();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (true) { // polling the store with a deadline: the writer writes at its interval
                var p = reader.get(h.id()).progress();
                if (p != null && p.done() == 5) {
                    assertThat(p.fraction()).isEqualTo(0.5);
                    break;
                }
                assertThat(System.nanoTime() - deadline).as("progress reached the store").isNegative();
                java.util.concurrent.locks.LockSupport.parkNanos(20_000_000); // polling with a deadline
            }
            release.countDown();
            h.await(WAIT);
            var done = reader.get(h.id()).progress();
            assertThat(done.complete()).isTrue();
            assertThat(done.fraction()).isEqualTo(1.0);
        }
    }

    @Test
    void aRunWhoseClaimWasTakenOverIsCancelledWithLeaseLostAndWritesNothing() throws Exception {
        var started = new CountDownLatch(1);
        var reason = new AtomicReference<CancellationReason>();
        var cancelled = new CountDownLatch(1);
        var zombie = JobType.of("zombie", Void.class, String.class, (ctx, p) -> {
            started.countDown();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                reason.set(ctx.cancellationReason().orElse(null));
                cancelled.countDown();
                throw e;
            }
            return "must not land";
        });
        try (var rt = runtime("zombie", zombie).lease(Duration.ofMillis(300)).build()) {
            var h = rt.submit(zombie, null);
            assertThat(started.await(60, TimeUnit.SECONDS)).isTrue();
            try (var c = db.getConnection(); var ps = c.prepareStatement(
                    "UPDATE weft_jobs SET epoch = epoch + 1, node = 'usurper' WHERE id = ?::uuid")) {
                ps.setString(1, h.id()); // as if another node had claimed the job
                assertThat(ps.executeUpdate()).isEqualTo(1);
            }
            assertThat(cancelled.await(60, TimeUnit.SECONDS)).isTrue();
            assertThat(reason.get().kind()).isEqualTo(CancellationReason.Kind.LEASE_LOST);
            assertThat(reason.get().detail()).contains(h.id());
            var row = rt.get(h.id());
            assertThat(row.state()).isEqualTo(JobState.RUNNING); // the usurper's claim: nothing was written over it
            assertThat(row.result()).isNull();
        }
    }

    @Test
    void submitAllWritesEverySpecInOneTransactionOrNone() throws Exception {
        var square = JobType.of("square", Integer.class, Integer.class, (ctx, n) -> n * n);
        var anything = JobType.of("anything-all", Object.class, Void.class, (ctx, p) -> null);
        try (var rt = runtime("submit-all", square, anything).build()) {
            List<JobSpec<Integer>> specs = new ArrayList<>();
            for (int i = 0; i < 1_000; i++) {
                specs.add(JobSpec.of(square, i));
            }
            var handles = rt.submitAll(specs);
            assertThat(handles).hasSize(1_000);
            for (int i = 0; i < 1_000; i += 111) {
                assertThat(handles.get(i).await(WAIT)).isEqualTo(i * i);
            }
            long before = rt.list(JobQuery.all()).total();
            List<JobSpec<Void>> mixed = List.of(JobSpec.of(anything, "fine"), JobSpec.of(anything, new Object()));
            assertThatThrownBy(() -> rt.submitAll(mixed)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("cannot be stored");
            assertThat(rt.list(JobQuery.all()).total()).as("nothing of a refused batch is written").isEqualTo(before);
        }
    }

    @Test
    void aJobInsertedByAnotherNodeWakesAnIdleRuntimeAtOnceNotAtItsPoll() throws Exception {
        var started = new CountDownLatch(2);
        var wake = JobType.of("wake", Void.class, Void.class, (ctx, p) -> {
            started.countDown();
            return null;
        });
        try (var idle = runtime("idle", wake).pollInterval(Duration.ofHours(1)).build()) {
            // one job through the idle runtime first: once it is awaited, the pass that wrote its end has also
            // claimed (and found nothing) before this thread's insert below can commit
            idle.submit(JobSpec.named("warmup").run(wake, null)).await(WAIT);
            var other = PostgresJobStore.builder(db).build(); // another node's store, on its own connections
            other.open(new dev.weft.jobs.spi.StoreListener() {
                public void workAvailable() { }
                public void cancelRequested(String jobId) { }
                public void reachable(boolean up, String detail) { }
            });
            try {
                other.insert(new dev.weft.jobs.spi.NewJob(java.util.UUID.randomUUID().toString(), "wake", "wake",
                        null, null, 0, "null", 1, null, null));
            } finally {
                other.close();
            }
            // the idle runtime polls once an hour: only the notice can start the job within the minute
            assertThat(started.await(60, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void aJobRunningPastItsExpectedDurationIsFlaggedStuckInTheStore() throws Exception {
        var release = new CountDownLatch(1);
        var stuckEvent = new CountDownLatch(1);
        var slow = JobType.of("slow-stuck", Void.class, Void.class, (ctx, p) -> {
            release.await();
            return null;
        });
        try (var rt = runtime("stuck", slow).progressInterval(Duration.ofMillis(50)).build();
             var reader = runtime("stuck-reader").build()) {
            rt.subscribe(e -> {
                if (e.type() == JobEvent.Type.STUCK) {
                    stuckEvent.countDown();
                }
            });
            var h = rt.submit(JobSpec.named("slow-stuck").expectedDuration(Duration.ofMillis(100)).run(slow, null));
            assertThat(stuckEvent.await(60, TimeUnit.SECONDS)).isTrue();
            assertThat(reader.get(h.id()).stuck()).as("visible from another runtime").isTrue();
            release.countDown();
            h.await(WAIT);
            assertThat(reader.get(h.id()).state()).isEqualTo(JobState.SUCCEEDED);
        }
    }

    @Test
    void aCancelThroughAnotherRuntimeReachesTheRunningJobByItsNotice() throws Exception {
        var started = new CountDownLatch(1);
        var interrupted = new CountDownLatch(1);
        var remote = JobType.of("remote", Void.class, Void.class, (ctx, p) -> {
            started.countDown();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                interrupted.countDown();
                throw e;
            }
            return null;
        });
        // the worker renews its leases every 20 minutes: only the notice can bring the cancel within the minute
        try (var worker = runtime("worker", remote).lease(Duration.ofHours(1)).build();
             var other = runtime("canceller").build()) {
            var h = worker.submit(remote, null);
            assertThat(started.await(60, TimeUnit.SECONDS)).isTrue();
            assertThat(other.cancel(h.id(), "from the other node")).isTrue();
            assertThat(interrupted.await(60, TimeUnit.SECONDS)).isTrue();
            assertThatThrownBy(() -> h.await(WAIT)).isInstanceOf(JobCancelledException.class);
            var r = other.get(h.id());
            assertThat(r.state()).isEqualTo(JobState.CANCELLED);
            assertThat(r.cancellationReason().detail()).isEqualTo("from the other node (cancelled through node canceller)");
        }
    }
}
