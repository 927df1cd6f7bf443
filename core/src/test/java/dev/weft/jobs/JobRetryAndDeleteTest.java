package dev.weft.jobs;

import dev.weft.scope.Retry;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.weft.jobs.JobWaits.finished;
import static dev.weft.jobs.JobWaits.startedThenWaitFor;
import static dev.weft.testing.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JobRetryAndDeleteTest {

    private static JobRuntime.Builder runtime() {
        return JobRuntime.builder().shutdownGrace(Duration.ZERO);
    }

    /** A body whose first run fails; a later run counts {@code started} down, then waits for {@code release}. */
    private static JobBody<Object> failsOnceThenHolds(AtomicInteger runs, CountDownLatch started,
            CountDownLatch release) {
        return ctx -> {
            if (runs.incrementAndGet() == 1) {
                throw new IOException("first");
            }
            started.countDown();
            release.await();
            return null;
        };
    }

    @Test
    void aFailedJobIsRetriedAsTheSameJobWithItsAttemptsCountedOnAndItsEarlierErrorKept() throws Exception {
        var runs = new AtomicInteger();
        try (var rt = runtime().build()) {
            var first = rt.submit(JobSpec.named("import").key("file-9").group("imports").body(String.class, ctx -> {
                if (runs.incrementAndGet() == 1) {
                    throw new IOException("disk full");
                }
                return "imported";
            }));
            JobRecord failed = finished(first);
            assertThat(failed.state()).isEqualTo(JobState.FAILED);

            JobHandle<?> again = rt.retry(first.id());
            JobRecord retried = finished(again);

            assertThat(again.id()).isEqualTo(first.id());
            assertThat(retried.id()).isEqualTo(first.id());
            assertThat(retried.state()).isEqualTo(JobState.SUCCEEDED);
            assertThat(retried.result()).isEqualTo("imported");
            assertThat(retried.attempt()).isEqualTo(2);
            assertThat(retried.maxAttempts()).isEqualTo(2);
            assertThat(retried.submittedAt()).isEqualTo(failed.submittedAt());
            assertThat(retried.name()).isEqualTo("import");
            assertThat(retried.key()).isEqualTo("file-9");
            assertThat(retried.group()).isEqualTo("imports");
            assertThat(retried.earlierRuns()).singleElement().satisfies(run -> {
                assertThat(run.firstAttempt()).isEqualTo(1);
                assertThat(run.lastAttempt()).isEqualTo(1);
                assertThat(run.state()).isEqualTo(JobState.FAILED);
                assertThat(run.finishedAt()).isEqualTo(failed.finishedAt());
                assertThat(run.error().message()).isEqualTo("disk full");
            });
            assertThat(rt.get(first.id())).isEqualTo(retried);
            assertThat(rt.list(JobQuery.all()).jobs()).extracting(JobRecord::id).containsExactly(first.id());
            assertThat(rt.counts().get(JobState.SUCCEEDED)).isEqualTo(1);
            assertThat(rt.counts().get(JobState.FAILED)).isZero();
        }
    }

    @Test
    void aHandleFromBeforeTheRetryKeepsReportingTheRunItWasBoundTo() throws Exception {
        var release = new CountDownLatch(1);
        var started = new CountDownLatch(1);
        var runs = new AtomicInteger();
        try (var rt = runtime().build()) {
            var first = rt.submit(JobSpec.named("flaky").body(String.class, ctx -> {
                if (runs.incrementAndGet() == 1) {
                    throw new IllegalStateException("first run fails");
                }
                started.countDown();
                release.await();
                return "second run";
            }));
            finished(first);

            var again = rt.retry(first.id());
            await(started);

            assertThat(first.record().state()).isEqualTo(JobState.FAILED);
            assertThat(first.record().attempt()).isEqualTo(1);
            assertThatThrownBy(first::await).isInstanceOf(JobFailedException.class);
            assertThat(first.cancel("too late")).isFalse();
            assertThat(rt.get(first.id()).state()).isEqualTo(JobState.RUNNING);
            assertThat(rt.get(first.id()).attempt()).isEqualTo(2);
            assertThat(rt.handle(first.id())).containsSame(again);
            assertThat(rt.counts().get(JobState.RUNNING)).isEqualTo(1);
            assertThat(rt.counts().get(JobState.FAILED)).isZero();
            release.countDown();
            assertThat(again.await()).isEqualTo("second run");
        }
    }

    @Test
    void aRetriedJobGetsAWholeRunOfItsPolicyAfterTheAttemptsItUsed() throws Exception {
        var attempts = new java.util.concurrent.CopyOnWriteArrayList<Integer>();
        try (var rt = runtime().build()) {
            var first = rt.submit(JobSpec.named("always-fails")
                    .retry(Retry.attempts(2).backoff(Duration.ZERO, 1, Duration.ZERO)).body(Object.class, ctx -> {
                        attempts.add(ctx.attempt());
                        throw new IOException("attempt " + ctx.attempt());
                    }));
            assertThat(finished(first).attempt()).isEqualTo(2);

            JobRecord second = finished(rt.retry(first.id()));
            JobRecord third = finished(rt.retry(first.id()));

            assertThat(attempts).containsExactly(1, 2, 3, 4, 5, 6);
            assertThat(second.attempt()).isEqualTo(4);
            assertThat(second.maxAttempts()).isEqualTo(4);
            assertThat(third.attempt()).isEqualTo(6);
            assertThat(third.maxAttempts()).isEqualTo(6);
            assertThat(third.error().message()).isEqualTo("attempt 6");
            assertThat(third.earlierRuns()).extracting(JobRecord.EarlierRun::firstAttempt,
                    JobRecord.EarlierRun::lastAttempt, r -> r.error().message())
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(1, 2, "attempt 2"),
                            org.assertj.core.groups.Tuple.tuple(3, 4, "attempt 4"));
        }
    }

    @Test
    void theJobsEventsGoOnAfterTheRetryWithItsNextRun() throws Exception {
        var events = new java.util.concurrent.LinkedBlockingQueue<JobEvent>();
        var runs = new AtomicInteger();
        try (var rt = runtime().build()) {
            rt.subscribe(events::add);
            var first = rt.submit(JobSpec.named("twice").body(String.class, ctx -> {
                if (runs.incrementAndGet() == 1) {
                    throw new IOException("no");
                }
                return "yes";
            }));
            finished(first);
            finished(rt.retry(first.id()));

            var seen = new java.util.ArrayList<JobEvent>();
            while (seen.size() < 6) {
                JobEvent e = events.poll(10, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(e).as("event %d of 6", seen.size() + 1).isNotNull();
                seen.add(e);
            }
            assertThat(seen).extracting(e -> e.job().id()).containsOnly(first.id());
            assertThat(seen).extracting(JobEvent::type).containsExactly(JobEvent.Type.SUBMITTED,
                    JobEvent.Type.STARTED, JobEvent.Type.FINISHED, JobEvent.Type.SUBMITTED, JobEvent.Type.STARTED,
                    JobEvent.Type.FINISHED);
            assertThat(seen).extracting(e -> e.job().state(), e -> e.job().attempt())
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(JobState.QUEUED, 0),
                            org.assertj.core.groups.Tuple.tuple(JobState.RUNNING, 1),
                            org.assertj.core.groups.Tuple.tuple(JobState.FAILED, 1),
                            org.assertj.core.groups.Tuple.tuple(JobState.QUEUED, 1),
                            org.assertj.core.groups.Tuple.tuple(JobState.RUNNING, 2),
                            org.assertj.core.groups.Tuple.tuple(JobState.SUCCEEDED, 2));
            assertThat(seen.get(3).job().earlierRuns()).singleElement()
                    .satisfies(r -> assertThat(r.error().message()).isEqualTo("no"));
        }
    }

    @Test
    void aRetryRacingTheEndOfTheRunWaitsForItsFinishedEventSoTheNextRunsEventsFollowIt() throws Exception {
        var events = new java.util.concurrent.LinkedBlockingQueue<JobEvent>();
        var fail = new CountDownLatch(1);
        var running = new CountDownLatch(1);
        var runs = new AtomicInteger();
        try (var rt = runtime().build()) {
            rt.subscribe(events::add);
            var first = rt.submit(JobSpec.named("ending").body(Object.class, ctx -> {
                if (runs.incrementAndGet() == 1) {
                    running.countDown(); // STARTED was emitted before the body ran
                    fail.await();
                    throw new IOException("no");
                }
                return null;
            }));
            Thread retrying;
            await(running);
            // holding the job's monitor holds its runner where it emits FINISHED, after the state is FAILED
            synchronized (first) {
                fail.countDown();
                dev.weft.testing.Waits.until(() -> rt.get(first.id()).state() == JobState.FAILED);
                retrying = Thread.ofVirtual().start(() -> rt.retry(first.id()));
                dev.weft.testing.Waits.until(() -> retrying.getState() == Thread.State.TERMINATED
                        || dev.weft.testing.Waits.isWaiting(retrying));
            }
            retrying.join();
            finished(rt.handle(first.id()).orElseThrow());

            var types = new java.util.ArrayList<JobEvent.Type>();
            while (types.size() < 6) {
                JobEvent e = events.poll(10, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(e).as("event %d of 6", types.size() + 1).isNotNull();
                types.add(e.type());
            }
            assertThat(types).containsExactly(JobEvent.Type.SUBMITTED, JobEvent.Type.STARTED, JobEvent.Type.FINISHED,
                    JobEvent.Type.SUBMITTED, JobEvent.Type.STARTED, JobEvent.Type.FINISHED);
        }
    }

    @Test
    void aRetryIsRefusedWhileAnotherJobHoldsTheKeyAndNamesThatJob() throws Exception {
        var started = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        try (var rt = runtime().build()) {
            var failed = rt.submit(JobSpec.named("sync").key("acct-7").body(Object.class, ctx -> {
                throw new IOException("down");
            }));
            finished(failed);
            var holder = rt.submit(JobSpec.named("sync").key("acct-7").body(Object.class,
                    startedThenWaitFor(started, release)));
            await(started);

            assertThatThrownBy(() -> rt.retry(failed.id())).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("job " + failed.id()).hasMessageContaining("\"acct-7\"")
                    .hasMessageContaining("held by job " + holder.id()).hasMessageContaining("RUNNING");
            assertThat(rt.get(failed.id()).state()).isEqualTo(JobState.FAILED);

            release.countDown();
            finished(holder);
            assertThat(finished(rt.retry(failed.id())).attempt()).isEqualTo(2); // the key is free again
        }
    }

    @Test
    void twoRacingRetriesRunTheJobAgainOnce() throws Exception {
        var runs = new AtomicInteger();
        var release = new CountDownLatch(1);
        try (var rt = runtime().build()) {
            var first = rt.submit(JobSpec.named("once-more").body(Object.class, ctx -> {
                if (runs.incrementAndGet() == 1) {
                    throw new IOException("no");
                }
                release.await(); // the retried run holds on, so a late retry finds it running, not failed again
                return null;
            }));
            finished(first);
            var barrier = new java.util.concurrent.CyclicBarrier(2);
            var wins = new AtomicInteger();
            var refusals = new java.util.concurrent.CopyOnWriteArrayList<Throwable>();
            Runnable retry = () -> {
                try {
                    barrier.await();
                    rt.retry(first.id());
                    wins.incrementAndGet();
                } catch (IllegalStateException e) {
                    refusals.add(e);
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            };
            Thread a = Thread.ofVirtual().start(retry);
            Thread b = Thread.ofVirtual().start(retry);
            a.join();
            b.join();

            assertThat(wins).hasValue(1);
            assertThat(refusals).singleElement().satisfies(e -> assertThat(e).hasMessageContaining(first.id()));
            release.countDown();
            JobRecord end = finished(rt.handle(first.id()).orElseThrow());
            assertThat(end.attempt()).isEqualTo(2);
            assertThat(end.earlierRuns()).hasSize(1);
            assertThat(runs).hasValue(2);
        }
    }

    @Test
    void evictingTheEndedRunLeavesTheRetriedJobInPlace() throws Exception {
        var started = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        var runs = new AtomicInteger();
        var oneFailed = Retention.defaults().forState(JobState.FAILED, Duration.ofDays(1), 1);
        try (var rt = runtime().retention(oneFailed).build()) {
            var first = rt.submit(JobSpec.named("retried")
                    .body(Object.class, failsOnceThenHolds(runs, started, release)));
            finished(first);
            var again = rt.retry(first.id());
            await(started);

            // a second failure fills FAILED's retention of one: the ended run, had retention kept it, goes
            var other = rt.submit(JobSpec.named("other").body(Object.class, ctx -> {
                throw new IOException("other");
            }));
            finished(other);

            assertThat(rt.find(first.id())).hasValueSatisfying(r -> assertThat(r.state()).isEqualTo(JobState.RUNNING));
            assertThat(rt.find(other.id())).isPresent();
            assertThat(rt.list(JobQuery.all()).total()).isEqualTo(2);
            assertThat(rt.counts().get(JobState.FAILED)).isEqualTo(1);
            release.countDown();
            finished(again);
            assertThat(rt.find(first.id())).hasValueSatisfying(r -> assertThat(r.state()).isEqualTo(JobState.SUCCEEDED));
        }
    }

    @Test
    void theEndedRunOfARetriedJobNoLongerTakesARetentionPlace() throws Exception {
        var started = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        var runs = new AtomicInteger();
        var twoFailed = Retention.defaults().forState(JobState.FAILED, Duration.ofDays(1), 2);
        try (var rt = runtime().retention(twoFailed).build()) {
            var older = rt.submit(JobSpec.named("older").body(Object.class, ctx -> {
                throw new IOException("older");
            }));
            finished(older);
            var retried = rt.submit(JobSpec.named("retried")
                    .body(Object.class, failsOnceThenHolds(runs, started, release)));
            finished(retried);
            rt.retry(retried.id());
            await(started);

            var newer = rt.submit(JobSpec.named("newer").body(Object.class, ctx -> {
                throw new IOException("newer");
            }));
            finished(newer);

            // two FAILED jobs, two places: the retried job's ended run holds none, so neither is evicted
            assertThat(rt.find(older.id())).isPresent();
            assertThat(rt.find(newer.id())).isPresent();
            assertThat(rt.counts().get(JobState.FAILED)).isEqualTo(2);
            release.countDown();
            finished(rt.handle(retried.id()).orElseThrow());
        }
    }

    @Test
    void aCancelledTypedJobIsRetriedWithItsPayload() throws Exception {
        var release = new CountDownLatch(1);
        var started = new CountDownLatch(1);
        JobType<Integer, Integer> slowDouble = JobType.of("slow-double", Integer.class, Integer.class, (ctx, n) -> {
            started.countDown();
            release.await();
            return 2 * n;
        });
        try (var rt = runtime().register(slowDouble).build()) {
            var first = rt.submit(slowDouble, 21);
            await(started);
            rt.cancel(first.id(), "wrong moment");
            assertThat(finished(first).state()).isEqualTo(JobState.CANCELLED);

            release.countDown();
            JobRecord retried = finished(rt.retry(first.id()));

            assertThat(retried.state()).isEqualTo(JobState.SUCCEEDED);
            assertThat(retried.result()).isEqualTo("42");
            assertThat(retried.type()).isEqualTo("slow-double");
            assertThat(retried.earlierRuns()).singleElement()
                    .satisfies(r -> assertThat(r.state()).isEqualTo(JobState.CANCELLED))
                    .satisfies(r -> assertThat(r.cancellationReason().detail()).isEqualTo("wrong moment"));
        }
    }

    @Test
    void onlyAJobThatDidNotSucceedCanBeRetried() throws Exception {
        var started = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        try (var rt = runtime().build()) {
            var ok = rt.submit("ok", ctx -> 1);
            finished(ok);
            var running = rt.submit(JobSpec.named("running").body(Object.class, startedThenWaitFor(started, release)));
            await(started);

            assertThatThrownBy(() -> rt.retry(ok.id())).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("is SUCCEEDED").hasMessageContaining("FAILED, CANCELLED or TIMED_OUT");
            assertThatThrownBy(() -> rt.retry(running.id())).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("is RUNNING");
            assertThatThrownBy(() -> rt.retry("nope")).isInstanceOf(NoSuchJobException.class);
            release.countDown();
            finished(running);
        }
    }

    @Test
    void aDeletedFinishedJobIsNoLongerFoundListedOrCounted() throws Exception {
        try (var rt = runtime().build()) {
            var kept = rt.submit("kept", ctx -> 1);
            var gone = rt.submit("gone", ctx -> 2);
            finished(kept);
            finished(gone);

            assertThat(rt.delete(gone.id())).isTrue();

            assertThat(rt.find(gone.id())).isEmpty();
            assertThat(rt.list(JobQuery.all()).jobs()).extracting(JobRecord::id).containsExactly(kept.id());
            assertThat(rt.counts().get(JobState.SUCCEEDED)).isEqualTo(1);
            assertThatThrownBy(() -> rt.delete(gone.id())).isInstanceOf(NoSuchJobException.class);
        }
    }

    @Test
    void aRunningJobCannotBeDeleted() throws Exception {
        var started = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        try (var rt = runtime().build()) {
            var running = rt.submit(JobSpec.named("busy").body(Object.class, startedThenWaitFor(started, release)));
            await(started);

            assertThatThrownBy(() -> rt.delete(running.id())).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("is RUNNING").hasMessageContaining("cancel it first");
            assertThat(rt.find(running.id())).isPresent();
            release.countDown();
            finished(running);
        }
    }
}
