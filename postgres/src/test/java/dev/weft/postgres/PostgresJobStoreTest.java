package dev.weft.postgres;

import com.zaxxer.hikari.HikariDataSource;
import dev.weft.jobs.JobEvent;
import dev.weft.jobs.JobQuery;
import dev.weft.jobs.JobState;
import dev.weft.jobs.spi.AttemptEnd;
import dev.weft.jobs.spi.Inserted;
import dev.weft.jobs.spi.Lease;
import dev.weft.jobs.spi.LeaseReport;
import dev.weft.jobs.spi.NewJob;
import dev.weft.jobs.spi.ProgressUpdate;
import dev.weft.jobs.spi.StoredEvent;
import dev.weft.jobs.spi.StoredJob;
import dev.weft.jobs.spi.StoredPage;
import dev.weft.scope.CancellationReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static dev.weft.postgres.Stores.LEASE;
import static dev.weft.postgres.Stores.job;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The store's SPI methods one by one, on a real PostgreSQL. Each test uses job types of its own. */
class PostgresJobStoreTest {

    @RegisterExtension
    static final OpenStore db = new OpenStore();

    @Test
    void insertedJobIsQueuedWithItsSubmittedEventAndReadsBackWhole() {
        NewJob j = new NewJob(UUID.randomUUID().toString(), "t-insert", "resize a.png", "k-insert", "images", 7,
                "{\"image\":\"a.png\"}", 4, Duration.ofMinutes(2), Duration.ofSeconds(30));

        Inserted ins = db.store().insert(j);

        assertThat(ins.created()).isTrue();
        assertThat(ins.event().id()).isPositive();
        assertThat(ins.event().type()).isEqualTo(JobEvent.Type.SUBMITTED);
        StoredJob row = db.store().find(j.id()).orElseThrow();
        assertThat(row).isEqualTo(Stores.withReadAt(ins.event().job(), row));
        assertThat(row.state()).isEqualTo(JobState.QUEUED);
        assertThat(row.type()).isEqualTo("t-insert");
        assertThat(row.name()).isEqualTo("resize a.png");
        assertThat(row.key()).isEqualTo("k-insert");
        assertThat(row.group()).isEqualTo("images");
        assertThat(row.priority()).isEqualTo(7);
        assertThat(row.payload()).isEqualTo("{\"image\":\"a.png\"}");
        assertThat(row.maxAttempts()).isEqualTo(4);
        assertThat(row.attempt()).isZero();
        assertThat(row.epoch()).isZero();
        assertThat(row.timeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(row.expectedDuration()).isEqualTo(Duration.ofSeconds(30));
        assertThat(row.submittedAt()).isNotNull();
        assertThat(row.runAfter()).isNotNull();
        assertThat(row.readAt()).isAfterOrEqualTo(row.submittedAt());
        assertThat(row.startedAt()).isNull();
        assertThat(row.node()).isNull();
    }

    @Test
    void insertAllKeepsTheListOrderAndGivesEachJobItsOwnEvent() {
        List<NewJob> jobs = List.of(job("t-batch"), job("t-batch"), job("t-batch"));

        List<Inserted> out = db.store().insertAll(jobs);

        assertThat(out).extracting(i -> i.event().job().id()).containsExactly(
                jobs.get(0).id(), jobs.get(1).id(), jobs.get(2).id());
        assertThat(out).allMatch(Inserted::created);
        assertThat(out).extracting(i -> i.event().id()).doesNotHaveDuplicates();
    }

    @Test
    void aPayloadOverTheLimitIsRefusedWithTheLimitNamed() {
        var small = PostgresJobStore.builder(db.dataSource()).maxPayloadBytes(10).build();
        NewJob big = new NewJob(UUID.randomUUID().toString(), "t-big", "big", null, null, 0,
                "\"" + "é".repeat(6) + "\"", 1, null, null); // 8 chars, 14 bytes

        assertThatThrownBy(() -> small.insert(big)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("10 bytes").hasMessageContaining("maxPayloadBytes");
        assertThat(db.store().find(big.id())).isEmpty();
        assertThat(PostgresJobStore.builder(db.dataSource()).build().maxPayloadBytes()).isEqualTo(1_048_576);
    }

    @Test
    void claimTakesPriorityFirstThenSubmissionOrderAndStartsEachAttempt() {
        NewJob low1 = job("t-claim", 0, null);
        NewJob high1 = job("t-claim", 5, null);
        NewJob low2 = job("t-claim", 0, null);
        NewJob high2 = job("t-claim", 5, null);
        db.store().insertAll(List.of(low1, high1, low2, high2));

        List<StoredEvent> first = db.store().claim("n1", List.of("t-claim"), 3, LEASE);
        List<StoredEvent> second = db.store().claim("n1", List.of("t-claim"), 3, LEASE);

        assertThat(first).extracting(e -> e.job().id()).containsExactly(high1.id(), high2.id(), low1.id());
        assertThat(second).extracting(e -> e.job().id()).containsExactly(low2.id());
        for (StoredEvent e : first) {
            assertThat(e.type()).isEqualTo(JobEvent.Type.STARTED);
            assertThat(e.id()).isPositive();
            assertThat(e.job().state()).isEqualTo(JobState.RUNNING);
            assertThat(e.job().attempt()).isEqualTo(1);
            assertThat(e.job().epoch()).isEqualTo(1);
            assertThat(e.job().node()).isEqualTo("n1");
            assertThat(e.job().startedAt()).isNotNull();
            assertThat(e.job().leaseUntil()).isAfter(e.job().readAt().plus(LEASE).minusSeconds(5));
        }
        assertThat(db.store().claim("n1", List.of("t-claim"), 3, LEASE)).isEmpty();
    }

    @Test
    void claimTakesOnlyTheGivenTypes() {
        NewJob a = job("t-type-a");
        NewJob b = job("t-type-b");
        db.store().insertAll(List.of(a, b));

        assertThat(db.store().claim("n1", List.of("t-type-b"), 10, LEASE)).extracting(e -> e.job().id())
                .containsExactly(b.id());
        assertThat(db.store().find(a.id()).orElseThrow().state()).isEqualTo(JobState.QUEUED);
    }

    @Test
    void endAttemptsWritesEveryTerminalOutcomeWithItsFinishedEvent() {
        List<NewJob> jobs = List.of(job("t-end"), job("t-end"), job("t-end"), job("t-end"));
        db.store().insertAll(jobs);
        List<StoredEvent> claimed = db.store().claim("n1", List.of("t-end"), 4, LEASE);
        var p = Stores.progress(3, 4);

        List<StoredEvent> ended = db.store().endAttempts(List.of(
                new AttemptEnd(claimed.get(0).job().lease(), AttemptEnd.Outcome.SUCCEEDED, "\"ok\"", null, null, p,
                        null),
                Stores.failed(claimed.get(1).job().lease(), "boom"),
                new AttemptEnd(claimed.get(2).job().lease(), AttemptEnd.Outcome.CANCELLED, null, null,
                        Stores.reason("user asked"), null, null),
                new AttemptEnd(claimed.get(3).job().lease(), AttemptEnd.Outcome.TIMED_OUT, null, null,
                        new CancellationReason(CancellationReason.Kind.DEADLINE, "timeout 1s passed", null), null,
                        null)));

        assertThat(ended).hasSize(4).allMatch(e -> e.type() == JobEvent.Type.FINISHED && e.id() > 0)
                .allMatch(e -> e.job().finishedAt() != null && e.job().node() == null
                        && e.job().leaseUntil() == null);
        StoredJob ok = db.store().find(claimed.get(0).job().id()).orElseThrow();
        assertThat(ok.state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(ok.result()).isEqualTo("\"ok\"");
        assertThat(ok.progress()).isEqualTo(p);
        StoredJob failed = db.store().find(claimed.get(1).job().id()).orElseThrow();
        assertThat(failed.state()).isEqualTo(JobState.FAILED);
        assertThat(failed.error()).isEqualTo(Stores.error("boom"));
        StoredJob cancelled = db.store().find(claimed.get(2).job().id()).orElseThrow();
        assertThat(cancelled.state()).isEqualTo(JobState.CANCELLED);
        assertThat(cancelled.reason()).isEqualTo(Stores.reason("user asked"));
        StoredJob timedOut = db.store().find(claimed.get(3).job().id()).orElseThrow();
        assertThat(timedOut.state()).isEqualTo(JobState.TIMED_OUT);
        assertThat(timedOut.reason().kind()).isEqualTo(CancellationReason.Kind.DEADLINE);
    }

    @Test
    void retryRequeuesAfterTheDelayWithTheAttemptCountedAndTheErrorKept() {
        NewJob j = job("t-retry");
        db.store().insert(j);
        StoredEvent c1 = db.store().claim("n1", List.of("t-retry"), 1, LEASE).get(0);

        StoredEvent e = db.store().endAttempts(List.of(Stores.retry(c1.job().lease(), "flaky", Duration.ofHours(1))))
                .get(0);

        assertThat(e.type()).isEqualTo(JobEvent.Type.PROGRESS);
        assertThat(e.job().state()).isEqualTo(JobState.QUEUED);
        assertThat(e.job().attempt()).isEqualTo(1);
        assertThat(e.job().error()).isEqualTo(Stores.error("flaky"));
        assertThat(e.job().runAfter()).isAfter(e.job().readAt().plus(Duration.ofMinutes(59)));
        assertThat(e.job().finishedAt()).isNull();
        assertThat(e.job().node()).isNull();
        assertThat(db.store().claim("n1", List.of("t-retry"), 1, LEASE)).as("not due for an hour").isEmpty();
    }

    @Test
    void retryAfterAnEnormousDelaySaturatesInsteadOfFailing() {
        db.store().insert(job("t-retry-max"));
        StoredEvent c1 = db.store().claim("n1", List.of("t-retry-max"), 1, Duration.ofSeconds(Long.MAX_VALUE)).get(0);

        StoredEvent e = db.store().endAttempts(List.of(Stores.retry(c1.job().lease(), "later",
                Duration.ofSeconds(Long.MAX_VALUE)))).get(0);

        assertThat(e.job().runAfter()).isAfter(e.job().readAt().plus(Duration.ofDays(365L * 500)));
    }

    @Test
    void requeueInterruptedPutsTheJobBackNowWithoutCountingTheAttempt() {
        db.store().insert(job("t-requeue"));
        StoredEvent c1 = db.store().claim("n1", List.of("t-requeue"), 1, LEASE).get(0);

        StoredEvent e = db.store().endAttempts(List.of(new AttemptEnd(c1.job().lease(),
                AttemptEnd.Outcome.REQUEUE_INTERRUPTED, null, Stores.error("interrupted by shutdown"), null, null,
                null))).get(0);

        assertThat(e.type()).isEqualTo(JobEvent.Type.PROGRESS);
        assertThat(e.job().state()).isEqualTo(JobState.QUEUED);
        assertThat(e.job().attempt()).isZero();
        assertThat(e.job().interruptions()).isEqualTo(1);
        assertThat(e.job().error().message()).isEqualTo("interrupted by shutdown");
        StoredEvent c2 = db.store().claim("n2", List.of("t-requeue"), 1, LEASE).get(0);
        assertThat(c2.job().attempt()).isEqualTo(1);
        assertThat(c2.job().epoch()).isEqualTo(2);
    }

    @Test
    void writeProgressAndMarkStuckWriteTheirEvents() {
        db.store().insert(job("t-progress"));
        StoredEvent c = db.store().claim("n1", List.of("t-progress"), 1, LEASE).get(0);
        var p = Stores.progress(1, 10);

        List<StoredEvent> written = db.store().writeProgress(List.of(new ProgressUpdate(c.job().lease(), p)));
        StoredEvent stuck = db.store().markStuck(c.job().lease(), "on node n1:\n  at Work.run(Work.java:7)")
                .orElseThrow();

        assertThat(written).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo(JobEvent.Type.PROGRESS);
            assertThat(e.job().progress()).isEqualTo(p);
        });
        assertThat(stuck.type()).isEqualTo(JobEvent.Type.STUCK);
        assertThat(stuck.job().stuck()).isTrue();
        assertThat(db.store().find(c.job().id()).orElseThrow().stuckThreads())
                .isEqualTo("on node n1:\n  at Work.run(Work.java:7)");
        assertThat(stuck.id()).isGreaterThan(written.get(0).id());
    }

    @Test
    void renewExtendsHeldLeasesAndReportsLostOnesAndCancelRequests() {
        db.store().insertAll(List.of(job("t-renew"), job("t-renew"), job("t-renew")));
        List<StoredEvent> c = db.store().claim("n1", List.of("t-renew"), 3, Duration.ofSeconds(1));
        Lease kept = c.get(0).job().lease();
        Lease ended = c.get(1).job().lease();
        Lease cancelled = c.get(2).job().lease();
        db.store().endAttempts(List.of(Stores.succeeded(ended, null)));
        db.store().cancel(cancelled.jobId(), Stores.reason("stop it"));
        Lease stale = new Lease(kept.jobId(), kept.epoch() - 1);

        LeaseReport r = db.store().renew("n1", List.of(kept, ended, cancelled, stale), Duration.ofMinutes(10));
        LeaseReport otherNode = db.store().renew("n2", List.of(kept), Duration.ofMinutes(10));

        assertThat(r.lost()).containsExactlyInAnyOrder(ended, stale);
        assertThat(r.cancelRequested()).isEqualTo(Map.of(cancelled, Stores.reason("stop it")));
        assertThat(db.store().find(kept.jobId()).orElseThrow().leaseUntil())
                .isAfter(c.get(0).job().readAt().plus(Duration.ofMinutes(9)));
        assertThat(otherNode.lost()).containsExactly(kept);
    }

    @Test
    void listFiltersByStatesNameAndKeyNewestFirstWithTheTotal() {
        List<NewJob> jobs = List.of(
                new NewJob(UUID.randomUUID().toString(), "t-list", "list-a", "list-k1", null, 0, "{}", 1, null, null),
                new NewJob(UUID.randomUUID().toString(), "t-list", "list-a", null, null, 0, "{}", 1, null, null),
                new NewJob(UUID.randomUUID().toString(), "t-list", "list-b", null, null, 0, "{}", 1, null, null),
                new NewJob(UUID.randomUUID().toString(), "t-list", "list-a", null, null, 0, "{}", 1, null, null));
        db.store().insertAll(jobs);
        StoredEvent running = db.store().claim("n1", List.of("t-list"), 1, LEASE).get(0); // jobs[0]

        StoredPage byName = db.store().list(JobQuery.all().name("list-a"));
        StoredPage byNameQueued = db.store().list(JobQuery.all().name("list-a").states(JobState.QUEUED));
        StoredPage byKey = db.store().list(JobQuery.all().key("list-k1"));
        StoredPage paged = db.store().list(JobQuery.all().name("list-a").page(1, 1));
        StoredPage beyond = db.store().list(JobQuery.all().name("list-a").page(10, 5));

        assertThat(byName.jobs()).extracting(StoredJob::id).containsExactly(jobs.get(3).id(), jobs.get(1).id(),
                jobs.get(0).id());
        assertThat(byName.total()).isEqualTo(3);
        assertThat(byNameQueued.jobs()).extracting(StoredJob::id).containsExactly(jobs.get(3).id(),
                jobs.get(1).id());
        assertThat(byKey.jobs()).extracting(StoredJob::id).containsExactly(running.job().id());
        assertThat(paged.jobs()).extracting(StoredJob::id).containsExactly(jobs.get(1).id());
        assertThat(paged.total()).isEqualTo(3);
        assertThat(beyond.jobs()).isEmpty();
        assertThat(beyond.total()).isEqualTo(3);
    }

    @Test
    void countsHoldsEveryStateAndZeroWhereNone() {
        try (HikariDataSource fresh = PostgresFixture.newDatabase(); PostgresJobStore s = Stores.open(fresh)) {
            assertThat(s.counts()).containsOnlyKeys(JobState.values()).allSatisfy((k, v) -> assertThat(v).isZero());
            s.insertAll(List.of(job("c"), job("c"), job("c")));
            StoredEvent c = s.claim("n", List.of("c"), 1, LEASE).get(0);
            s.endAttempts(List.of(Stores.failed(c.job().lease(), "x")));
            s.claim("n", List.of("c"), 1, LEASE);

            Map<JobState, Long> counts = s.counts();

            assertThat(counts).containsOnlyKeys(JobState.values());
            assertThat(counts.get(JobState.QUEUED)).isEqualTo(1);
            assertThat(counts.get(JobState.RUNNING)).isEqualTo(1);
            assertThat(counts.get(JobState.FAILED)).isEqualTo(1);
            assertThat(counts.get(JobState.SUCCEEDED)).isZero();
        }
    }

    @Test
    void eventsAfterReturnsLaterEventsInIdOrderWithTheJobsCurrentRows() {
        NewJob j = job("t-events");
        long before = db.store().insert(j).event().id() - 1;
        StoredEvent started = db.store().claim("n1", List.of("t-events"), 1, LEASE).get(0);
        db.store().endAttempts(List.of(Stores.succeeded(started.job().lease(), "1")));

        List<StoredEvent> events = db.store().eventsAfter(before, 1000).stream()
                .filter(e -> e.job().id().equals(j.id())).toList();
        List<StoredEvent> firstOnly = db.store().eventsAfter(before, 1);

        assertThat(events).extracting(StoredEvent::type).containsExactly(JobEvent.Type.SUBMITTED,
                JobEvent.Type.STARTED, JobEvent.Type.FINISHED);
        assertThat(events).extracting(StoredEvent::id).isSorted();
        assertThat(events).allMatch(e -> e.job().state() == JobState.SUCCEEDED);
        assertThat(firstOnly).singleElement().extracting(StoredEvent::type).isEqualTo(JobEvent.Type.SUBMITTED);
    }

    @Test
    void findOfAnUnknownOrMalformedIdIsEmpty() {
        assertThat(db.store().find(UUID.randomUUID().toString())).isEmpty();
        assertThat(db.store().find("not-a-uuid")).isEmpty();
    }

    @Test
    void badBuilderSettingsAreRefusedWithAClearError() {
        var b = PostgresJobStore.builder(db.dataSource());
        for (String bad : List.of("", "Weft_", "1weft", "weft-", "a;drop", "x".repeat(42))) {
            assertThatThrownBy(() -> b.tablePrefix(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("[a-z_][a-z0-9_]{0,40}").hasMessageContaining(bad);
        }
        assertThat(b.tablePrefix("_a1").build().tablePrefix()).isEqualTo("_a1");
        assertThatThrownBy(() -> b.maxPayloadBytes(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxPayloadBytes must be at least 1, was 0");
        assertThatThrownBy(() -> b.codec(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("codec");
        assertThatThrownBy(() -> PostgresJobStore.builder(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("dataSource");
        assertThat(PostgresJobStore.builder(db.dataSource()).build().codec()).isInstanceOf(JacksonJobCodec.class);
        assertThat(Set.of(PostgresJobStore.builder(db.dataSource()).build().tablePrefix())).containsExactly("weft_");
    }
}
