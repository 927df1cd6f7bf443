package dev.weft.jobs;

import dev.weft.testing.Waits;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

import static dev.weft.testing.Waits.await;
import static dev.weft.jobs.JobWaits.finished;
import static dev.weft.jobs.JobWaits.startedThenWaitFor;
import static org.assertj.core.api.Assertions.assertThat;

class JobQueryTest {

    private static JobRuntime.Builder runtime() {
        return JobRuntime.builder().shutdownGrace(Duration.ZERO);
    }

    @Test
    void getFindAndHandleReturnTheJobById() throws Exception {
        try (var rt = runtime().build()) {
            var h = rt.submit(JobSpec.named("report").key("r-1").group("g").priority(3).body(String.class, ctx -> "pdf"));
            finished(h);
            JobRecord r = rt.get(h.id());
            assertThat(r.id()).isEqualTo(h.id());
            assertThat(r.name()).isEqualTo("report");
            assertThat(r.key()).isEqualTo("r-1");
            assertThat(r.group()).isEqualTo("g");
            assertThat(r.priority()).isEqualTo(3);
            assertThat(rt.find(h.id())).contains(r);
            assertThat(rt.handle(h.id())).containsSame(h);
        }
    }

    @Test
    void listFiltersByStateNameAndKey() throws Exception {
        var started = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        try (var rt = runtime().build()) {
            var running = rt.submit(JobSpec.named("crawl").key("site-a").body(Object.class, startedThenWaitFor(started, release)));
            await(started);
            var ok = rt.submit(JobSpec.named("crawl").key("site-b").body(Object.class, ctx -> 1));
            var bad = rt.submit(JobSpec.named("mail").body(ctx -> {
                throw new IOException("smtp");
            }));
            finished(ok);
            finished(bad);
            assertThat(ids(rt.list(JobQuery.all().states(JobState.RUNNING)))).containsExactly(running.id());
            assertThat(ids(rt.list(JobQuery.all().states(JobState.SUCCEEDED, JobState.FAILED))))
                    .containsExactly(bad.id(), ok.id());
            assertThat(ids(rt.list(JobQuery.all().name("crawl")))).containsExactly(ok.id(), running.id());
            assertThat(ids(rt.list(JobQuery.all().key("site-b")))).containsExactly(ok.id());
            assertThat(ids(rt.list(JobQuery.all().name("crawl").states(JobState.FAILED)))).isEmpty();
            release.countDown();
            finished(running);
        }
    }

    @Test
    void listPagesNewestSubmissionFirstAndReportsTheTotal() throws Exception {
        try (var rt = runtime().build()) {
            String[] ids = new String[7];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = rt.submit("n", ctx -> 1).id();
                finished(rt.handle(ids[i]).orElseThrow());
            }
            JobPage first = rt.list(JobQuery.all().page(0, 3));
            JobPage last = rt.list(JobQuery.all().page(6, 3));
            JobPage beyond = rt.list(JobQuery.all().page(10, 3));
            assertThat(ids(first)).containsExactly(ids[6], ids[5], ids[4]);
            assertThat(first.total()).isEqualTo(7);
            assertThat(ids(last)).containsExactly(ids[0]);
            assertThat(beyond.jobs()).isEmpty();
            assertThat(beyond.total()).isEqualTo(7);
        }
    }

    @Test
    void countsHaveEveryStateAndAddUpToTheQueryableJobs() throws Exception {
        var started = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        try (var rt = runtime().maxRunning(1).build()) {
            var running = rt.submit("r", startedThenWaitFor(started, release));
            await(started);
            var queued = rt.submit("q", ctx -> null);
            var cancelled = rt.submit("c", ctx -> null);
            cancelled.cancel("no");
            var counts = rt.counts();
            assertThat(counts).containsOnlyKeys(JobState.values());
            assertThat(counts.get(JobState.RUNNING)).isEqualTo(1);
            assertThat(counts.get(JobState.QUEUED)).isEqualTo(1);
            assertThat(counts.get(JobState.CANCELLED)).isEqualTo(1);
            assertThat(counts.get(JobState.SUCCEEDED)).isZero();
            release.countDown();
            finished(running);
            finished(queued);
            assertThat(rt.counts().get(JobState.SUCCEEDED)).isEqualTo(2);
        }
    }

    @Test
    void listSearchesNameKeyAndIdIgnoringCaseAndFiltersByGroupAndType() throws Exception {
        JobType<Integer, Integer> doubler = JobType.of("doubler", Integer.class, Integer.class, (ctx, n) -> 2 * n);
        try (var rt = runtime().register(doubler).build()) {
            var report = rt.submit(JobSpec.named("Monthly-Report").key("tenant-7").group("reports").body(Integer.class, ctx -> 1));
            var mail = rt.submit(JobSpec.named("mail").key("TENANT-8").group("mail").body(Integer.class, ctx -> 2));
            var typed = rt.submit(doubler, 21);
            finished(report);
            finished(mail);
            finished(typed);

            assertThat(ids(rt.list(JobQuery.all().search("report")))).containsExactly(report.id());
            assertThat(ids(rt.list(JobQuery.all().search("tenant")))).containsExactly(mail.id(), report.id());
            assertThat(ids(rt.list(JobQuery.all().search(typed.id().substring(20).toUpperCase()))))
                    .containsExactly(typed.id());
            assertThat(ids(rt.list(JobQuery.all().search("  ")))).hasSize(3);
            assertThat(ids(rt.list(JobQuery.all().group("mail")))).containsExactly(mail.id());
            assertThat(ids(rt.list(JobQuery.all().type("doubler")))).containsExactly(typed.id());
            assertThat(rt.get(typed.id()).type()).isEqualTo("doubler");
            assertThat(rt.get(report.id()).type()).isNull();
            assertThat(ids(rt.list(JobQuery.all().group("reports").search("mail")))).isEmpty();
        }
    }

    @Test
    void aSearchLongerThanTheLimitIsRefusedSayingTheLimit() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> JobQuery.all().search("x".repeat(201)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 200");
    }

    private static java.util.List<String> ids(JobPage page) {
        return page.jobs().stream().map(JobRecord::id).toList();
    }
}
