package dev.weft.jobs;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import dev.weft.testing.Waits;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static dev.weft.testing.Waits.await;
import static dev.weft.jobs.JobWaits.finished;
import static dev.weft.testing.Waits.until;
import static org.assertj.core.api.Assertions.assertThat;

class JobDedupeTest {

    private static JobRuntime.Builder runtime() {
        return JobRuntime.builder().shutdownGrace(Duration.ZERO);
    }

    private static JobSpec<Integer> blocking(String key, CountDownLatch started, CountDownLatch release) {
        return JobSpec.named("sync").key(key).body(Integer.class, ctx -> {
            started.countDown();
            release.await();
            return 1;
        });
    }

    @Test
    void submittingAKeyThatIsRunningReturnsTheRunningJob() throws Exception {
        var started = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        try (var rt = runtime().build()) {
            var first = rt.submit(blocking("tenant-7", started, release));
            await(started);
            var second = rt.submit(JobSpec.named("sync").key("tenant-7").body(Integer.class, ctx -> 2));
            assertThat(second.id()).isEqualTo(first.id());
            assertThat(second).isSameAs(first);
            release.countDown();
            assertThat(second.await()).isEqualTo(1);
        }
    }

    @Test
    void submittingAKeyThatIsQueuedReturnsTheQueuedJob() throws Exception {
        var started = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        try (var rt = runtime().maxRunning(1).build()) {
            rt.submit(blocking("other", started, release));
            await(started);
            var queued = rt.submit(JobSpec.named("sync").key("k").body(Integer.class, ctx -> 1));
            assertThat(queued.record().state()).isEqualTo(JobState.QUEUED);
            assertThat(rt.submit(JobSpec.named("sync").key("k").body(Integer.class, ctx -> 2)).id()).isEqualTo(queued.id());
            assertThat(rt.counts().get(JobState.QUEUED)).isEqualTo(1);
            release.countDown();
            assertThat(queued.await()).isEqualTo(1);
        }
    }

    @Test
    void keyIsFreeOnceItsJobHasFinished() throws Exception {
        try (var rt = runtime().build()) {
            var first = rt.submit(JobSpec.named("sync").key("k").body(Integer.class, ctx -> 1));
            finished(first);
            var second = rt.submit(JobSpec.named("sync").key("k").body(Integer.class, ctx -> 2));
            assertThat(second.id()).isNotEqualTo(first.id());
            assertThat(second.await()).isEqualTo(2);
        }
    }

    @Test
    void keyIsFreeOnceItsQueuedJobWasCancelled() throws Exception {
        var started = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        try (var rt = runtime().maxRunning(1).build()) {
            rt.submit(blocking("other", started, release));
            await(started);
            var queued = rt.submit(JobSpec.named("sync").key("k").body(Integer.class, ctx -> 1));
            queued.cancel("changed my mind");
            var again = rt.submit(JobSpec.named("sync").key("k").body(Integer.class, ctx -> 2));
            assertThat(again.id()).isNotEqualTo(queued.id());
            release.countDown();
            assertThat(again.await()).isEqualTo(2);
        }
    }

    @Test
    void keyIsFreeAlreadyInTheFinishedEventOfItsJob() throws Exception {
        var resubmitted = new AtomicReference<JobHandle<Integer>>();
        var firstId = new AtomicReference<String>();
        try (var rt = runtime().build()) {
            rt.subscribe(e -> {
                if (e.isTerminal() && e.job().id().equals(firstId.get())) {
                    // the job is terminal now: submitting its key must start a new job, not return the old one
                    resubmitted.set(rt.submit(JobSpec.named("sync").key("k").body(Integer.class, ctx -> 2)));
                }
            });
            var release = new CountDownLatch(1);
            var first = rt.submit(JobSpec.named("sync").key("k").body(Integer.class, ctx -> {
                release.await();
                return 1;
            }));
            firstId.set(first.id());
            release.countDown();
            finished(first);
            until(() -> resubmitted.get() != null); // the listener runs on its own thread, after the job ended
            assertThat(resubmitted.get().id()).isNotEqualTo(first.id());
            assertThat(resubmitted.get().await()).isEqualTo(2);
        }
    }

    @Test
    void concurrentSubmitsWithOneKeyAllGetOneJobThatRunsOnce() throws Exception {
        int threads = 8;
        var runs = new AtomicInteger();
        var release = new CountDownLatch(1);
        Set<String> ids = ConcurrentHashMap.newKeySet();
        try (var rt = runtime().build()) {
            var barrier = new CyclicBarrier(threads);
            Thread[] submitters = new Thread[threads];
            for (int i = 0; i < threads; i++) {
                submitters[i] = Thread.ofVirtual().start(() -> {
                    try {
                        barrier.await();
                        ids.add(rt.submit(JobSpec.named("sync").key("k").body(Integer.class, ctx -> {
                            runs.incrementAndGet();
                            release.await();
                            return 1;
                        })).id());
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                });
            }
            for (Thread t : submitters) {
                t.join();
            }
            assertThat(ids).hasSize(1);
            release.countDown();
            finished(rt.handle(ids.iterator().next()).orElseThrow());
            assertThat(runs).hasValue(1);
            assertThat(rt.counts().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(1);
        }
    }

    @Test
    void jobsWithDifferentKeysOrNoKeyAreNotDeduplicated() throws Exception {
        try (var rt = runtime().build()) {
            var release = new CountDownLatch(1);
            var a = rt.submit(JobSpec.named("sync").key("a").body(Object.class, JobWaits.waitFor(release)));
            var b = rt.submit(JobSpec.named("sync").key("b").body(Object.class, JobWaits.waitFor(release)));
            var c = rt.submit(JobSpec.named("sync").body(JobWaits.waitFor(release)));
            var d = rt.submit(JobSpec.named("sync").body(JobWaits.waitFor(release)));
            assertThat(Set.of(a.id(), b.id(), c.id(), d.id())).hasSize(4);
            release.countDown();
            for (var h : new JobHandle<?>[]{a, b, c, d}) {
                finished(h);
            }
        }
    }

    @Test
    void aKeyReusedWithAnotherResultTypeIsRejectedNamingBothTypes() throws Exception {
        var started = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        var otherRan = new AtomicInteger();
        try (var rt = runtime().build()) {
            var first = rt.submit(blocking("k", started, release));
            await(started);
            assertThatThrownBy(() -> rt.submit(JobSpec.named("sync").key("k").body(String.class, ctx -> {
                otherRan.incrementAndGet();
                return "text";
            }))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("\"k\"").hasMessageContaining(first.id())
                    .hasMessageContaining("java.lang.String").hasMessageContaining("java.lang.Integer");
            release.countDown();
            assertThat(first.await()).isEqualTo(1);
            assertThat(otherRan).hasValue(0);
            assertThat(rt.counts().get(JobState.SUCCEEDED)).isEqualTo(1);
        }
    }

    @Test
    void aKeyedSpecMustDeclareItsResultType() {
        assertThatThrownBy(() -> JobSpec.named("sync").key("k").body(ctx -> 1))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("\"k\"").hasMessageContaining("result type")
                .hasMessageContaining("body(ResultType.class");
    }

    @Test
    void aPrimitiveResultTypeIsItsWrapperSoBothShareAKey() throws Exception {
        var started = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        try (var rt = runtime().build()) {
            JobSpec<Integer> primitive = JobSpec.named("sync").key("k").body(int.class, ctx -> {
                started.countDown();
                release.await();
                return 1;
            });
            assertThat(primitive.resultType()).isEqualTo(Integer.class);
            var first = rt.submit(primitive);
            await(started);
            assertThat(rt.submit(JobSpec.named("sync").key("k").body(Integer.class, ctx -> 2)).id())
                    .isEqualTo(first.id());
            release.countDown();
            assertThat(first.await()).isEqualTo(1);
        }
    }

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void aBodyThatReturnsAnotherTypeThanItDeclaredFailsTheJobInsteadOfTheCaller() throws Exception {
        JobBody raw = ctx -> "not a number";
        try (var rt = runtime().build()) {
            JobHandle<Integer> h = rt.submit(JobSpec.named("liar").body(Integer.class, (JobBody<Integer>) raw));
            JobRecord r = finished(h);
            assertThat(r.state()).isEqualTo(JobState.FAILED);
            assertThat(r.error().type()).isEqualTo(ClassCastException.class.getName());
            assertThat(r.error().message()).contains("java.lang.Integer").contains("java.lang.String");
            assertThatThrownBy(h::await).isInstanceOf(JobFailedException.class);
        }
    }
}
