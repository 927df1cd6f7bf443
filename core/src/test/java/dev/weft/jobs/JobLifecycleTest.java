package dev.weft.jobs;

import dev.weft.testing.Waits;

import dev.weft.scope.CancellationReason;
import dev.weft.scope.CurrentTask;
import dev.weft.scope.Retry;
import dev.weft.time.ManualTimeSource;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static dev.weft.testing.Waits.await;
import static dev.weft.jobs.JobWaits.finished;
import static dev.weft.testing.Waits.forever;
import static dev.weft.testing.Waits.until;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JobLifecycleTest {

    private static JobRuntime.Builder runtime() {
        return JobRuntime.builder().shutdownGrace(Duration.ZERO);
    }

    @Test
    void submitReturnsAtOnceWithAnIdWhileTheBodyIsStillRunning() throws Exception {
        var release = new CountDownLatch(1);
        try (var rt = runtime().build()) {
            JobHandle<String> h = rt.submit("wait", ctx -> {
                release.await();
                return "done";
            });
            assertThat(h.id()).isNotBlank();
            assertThat(rt.get(h.id()).state()).isIn(JobState.QUEUED, JobState.RUNNING);
            release.countDown();
            assertThat(h.await()).isEqualTo("done");
        }
    }

    @Test
    void succeededRecordHoldsTimesAttemptAndResultSummary() throws Exception {
        var time = new ManualTimeSource();
        var started = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        try (var rt = runtime().timeSource(time).build()) {
            time.advance(Duration.ofSeconds(1));
            var h = rt.submit("answer", ctx -> {
                started.countDown();
                release.await();
                return 42;
            });
            await(started);
            time.advance(Duration.ofSeconds(2));
            release.countDown();
            JobRecord r = finished(h);
            Instant epoch = Instant.parse("2026-01-01T00:00:00Z");
            assertThat(r.state()).isEqualTo(JobState.SUCCEEDED);
            assertThat(r.submittedAt()).isEqualTo(epoch.plusSeconds(1));
            assertThat(r.startedAt()).isEqualTo(epoch.plusSeconds(1));
            assertThat(r.finishedAt()).isEqualTo(epoch.plusSeconds(3));
            assertThat(r.duration(Instant.MAX)).isEqualTo(Duration.ofSeconds(2));
            assertThat(r.attempt()).isEqualTo(1);
            assertThat(r.result()).isEqualTo("42");
            assertThat(r.error()).isNull();
        }
    }

    @Test
    void failedRecordHoldsTheBodysExceptionTypeMessageAndStack() throws Exception {
        try (var rt = runtime().build()) {
            var h = rt.submit("broken", ctx -> {
                throw new IOException("disk on fire");
            });
            JobRecord r = finished(h);
            assertThat(r.state()).isEqualTo(JobState.FAILED);
            assertThat(r.error().type()).isEqualTo(IOException.class.getName());
            assertThat(r.error().message()).isEqualTo("disk on fire");
            assertThat(r.error().stackTrace()).contains("disk on fire").contains("JobLifecycleTest");
            assertThat(r.result()).isNull();
            assertThatThrownBy(h::await).isInstanceOf(JobFailedException.class)
                    .hasMessageContaining("FAILED").hasMessageContaining("disk on fire")
                    .hasCauseInstanceOf(IOException.class);
        }
    }

    @Test
    void awaitCompletionWithATimeoutReturnsFalseWhileTheJobRuns() throws Exception {
        var release = new CountDownLatch(1);
        try (var rt = runtime().build()) {
            var h = rt.submit("wait", ctx -> {
                release.await();
                return 1;
            });
            assertThat(h.awaitCompletion(Duration.ofMillis(20))).isFalse();
            assertThatThrownBy(() -> h.await(Duration.ofMillis(1))).isInstanceOf(TimeoutException.class)
                    .hasMessageContaining(h.id());
            release.countDown();
            assertThat(h.awaitCompletion(Waits.PATIENCE)).isTrue();
            assertThat(h.await(Duration.ZERO)).isEqualTo(1);
        }
    }

    @Test
    void failedAttemptIsRetriedAfterBackoffAndTheRecordCountsAttempts() throws Exception {
        var time = new ManualTimeSource();
        var attempts = new AtomicInteger();
        try (var rt = runtime().timeSource(time).build()) {
            var h = rt.submit(JobSpec.named("flaky").retry(Retry.attempts(3).backoff(Duration.ofSeconds(1), 1, Duration.ofSeconds(1)))
                    .body(ctx -> {
                        if (attempts.incrementAndGet() < 2) {
                            throw new IOException("transient");
                        }
                        return "attempt " + ctx.attempt();
                    }));
            time.awaitSleepers(1);
            assertThat(h.record().attempt()).isEqualTo(1);
            assertThat(h.record().state()).isEqualTo(JobState.RUNNING);
            time.advance(Duration.ofSeconds(1));
            assertThat(h.await()).isEqualTo("attempt 2");
            assertThat(h.record().attempt()).isEqualTo(2);
            assertThat(h.record().maxAttempts()).isEqualTo(3);
        }
    }

    @Test
    void jobPastItsTimeoutEndsTimedOutAndItsSubtasksAreInterrupted() throws Exception {
        var time = new ManualTimeSource();
        var forked = new CountDownLatch(1);
        var subtaskInterrupted = new CountDownLatch(1);
        try (var rt = runtime().timeSource(time).build()) {
            var h = rt.submit(JobSpec.named("slow").timeout(Duration.ofSeconds(5)).body(ctx -> {
                ctx.scope().fork("sub", () -> {
                    forked.countDown();
                    try {
                        return forever();
                    } catch (InterruptedException e) {
                        subtaskInterrupted.countDown();
                        throw e;
                    }
                });
                return 0;
            }));
            await(forked);
            time.advance(Duration.ofSeconds(5));
            JobRecord r = finished(h);
            assertThat(r.state()).isEqualTo(JobState.TIMED_OUT);
            assertThat(r.cancellationReason().kind()).isEqualTo(CancellationReason.Kind.DEADLINE);
            assertThat(r.cancellationReason().detail()).contains("timeout");
            await(subtaskInterrupted);
        }
    }

    @Test
    void cancellingARunningJobCancelsEveryTaskOfItsTreeWithTheReason() throws Exception {
        var started = new CountDownLatch(3);
        var reasons = new java.util.concurrent.ConcurrentLinkedQueue<String>();
        try (var rt = runtime().build()) {
            var h = rt.submit("tree", ctx -> {
                for (int i = 0; i < 2; i++) {
                    ctx.scope().fork("leaf" + i, () -> {
                        started.countDown();
                        try {
                            return forever();
                        } catch (InterruptedException e) {
                            reasons.add(CurrentTask.cancellationReason().map(CancellationReason::toString).orElse("none"));
                            throw e;
                        }
                    });
                }
                started.countDown();
                return forever();
            });
            await(started);
            assertThat(h.cancel("user pressed stop")).isTrue();
            JobRecord r = finished(h);
            assertThat(r.state()).isEqualTo(JobState.CANCELLED);
            assertThat(r.cancellationReason().kind()).isEqualTo(CancellationReason.Kind.EXPLICIT);
            assertThat(r.cancellationReason().detail()).contains("user pressed stop");
            assertThat(reasons).hasSize(2).allSatisfy(s -> assertThat(s).contains("user pressed stop"));
        }
    }

    @Test
    void cancellingAQueuedJobEndsItCancelledWithoutRunningItsBody() throws Exception {
        var release = new CountDownLatch(1);
        var ran = new AtomicInteger();
        try (var rt = runtime().maxRunning(1).build()) {
            var blocker = rt.submit("blocker", ctx -> {
                release.await();
                return 0;
            });
            var queued = rt.submit("queued", ctx -> ran.incrementAndGet());
            assertThat(queued.record().state()).isEqualTo(JobState.QUEUED);
            assertThat(rt.cancel(queued.id(), "not needed")).isTrue();
            JobRecord r = finished(queued);
            assertThat(r.state()).isEqualTo(JobState.CANCELLED);
            assertThat(r.startedAt()).isNull();
            assertThat(r.finishedAt()).isNotNull();
            release.countDown();
            finished(blocker);
            assertThat(ran).hasValue(0);
        }
    }

    @Test
    void subtasksRunInTheJobsScopeTreeAndItsProgressIsTheScopesProgress() throws Exception {
        var inside = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        var subtaskPath = new AtomicReference<String>();
        try (var rt = runtime().build()) {
            var h = rt.submit("import", ctx -> {
                assertThat(ctx.progress()).isSameAs(ctx.scope().progress());
                ctx.progress().setTotal(4);
                ctx.scope().fork("part", () -> {
                    subtaskPath.set(CurrentTask.path().orElse(null));
                    ctx.progress().advance(3);
                    return null;
                });
                inside.countDown();
                release.await();
                return null;
            });
            await(inside);
            until(() -> subtaskPath.get() != null);
            assertThat(rt.scopes()).hasSize(1);
            assertThat(rt.scopes().getFirst().path()).contains("import#" + h.id());
            assertThat(subtaskPath.get()).startsWith(rt.scopes().getFirst().path()).endsWith("part");
            until(() -> h.record().progress().done() == 3);
            assertThat(h.record().progress().total()).isEqualTo(4);
            release.countDown();
            JobRecord r = finished(h);
            assertThat(r.progress().done()).isEqualTo(3);
            assertThat(rt.scopes()).isEmpty();
        }
    }

    /** An exception that cannot be printed: its message and its string form throw. */
    static final class Unprintable extends RuntimeException {
        @Override
        public String getMessage() {
            throw new IllegalStateException("getMessage refuses");
        }

        @Override
        public String toString() {
            throw new IllegalStateException("toString refuses");
        }
    }

    @Test
    void aJobWhoseFailureCannotBePrintedStillEndsAndFreesItsSlot() throws Exception {
        try (var rt = JobRuntime.builder().maxRunning(1).shutdownGrace(Duration.ZERO).build()) {
            var bad = rt.submit("unprintable", ctx -> {
                throw new Unprintable();
            });
            var next = rt.submit("next", ctx -> 1);
            assertThat(finished(bad).state()).isEqualTo(JobState.FAILED);
            assertThat(finished(next).state()).isEqualTo(JobState.SUCCEEDED);
        }
    }

    @Test
    void aJobWhoseValueCannotBePrintedStillEnds() throws Exception {
        try (var rt = JobRuntime.builder().maxRunning(1).shutdownGrace(Duration.ZERO).build()) {
            var bad = rt.submit("unprintable", ctx -> new Object() {
                @Override
                public String toString() {
                    throw new Unprintable();
                }
            });
            var next = rt.submit("next", ctx -> 1);
            assertThat(finished(bad).state().isTerminal()).isTrue();
            assertThat(finished(next).state()).isEqualTo(JobState.SUCCEEDED);
        }
    }

    @Test
    void awaitNamesHowAJobEndedWithOneExceptionPerTerminalState() throws Exception {
        var started = new CountDownLatch(1);
        try (var rt = JobRuntime.builder().shutdownGrace(Duration.ZERO).build()) {
            var failed = rt.submit("failed", ctx -> {
                throw new IOException("disk on fire");
            });
            var cancelled = rt.submit("cancelled", ctx -> {
                started.countDown();
                return forever();
            });
            var timedOut = rt.submit(JobSpec.named("timed").timeout(Duration.ofMillis(20)).body(ctx -> forever()));
            await(started);
            cancelled.cancel("user pressed stop");

            assertThatThrownBy(failed::await).isInstanceOf(JobFailedException.class)
                    .isInstanceOf(JobNotSucceededException.class).hasCauseInstanceOf(IOException.class);
            assertThatThrownBy(cancelled::await).isInstanceOfSatisfying(JobCancelledException.class, e -> {
                assertThat(e.reason().kind()).isEqualTo(CancellationReason.Kind.EXPLICIT);
                assertThat(e.reason().detail()).isEqualTo("user pressed stop");
                assertThat(e.record().state()).isEqualTo(JobState.CANCELLED);
                assertThat(e).isInstanceOf(JobNotSucceededException.class).hasMessageContaining("CANCELLED");
            });
            assertThatThrownBy(() -> timedOut.await(Duration.ofSeconds(10)))
                    .isInstanceOfSatisfying(JobTimedOutException.class, e -> {
                        assertThat(e.record().state()).isEqualTo(JobState.TIMED_OUT);
                        assertThat(e.record().cancellationReason().kind()).isEqualTo(CancellationReason.Kind.DEADLINE);
                        assertThat(e).isInstanceOf(JobNotSucceededException.class).hasMessageContaining("TIMED_OUT");
                    });
        }
    }

    @Test
    void aJobCancelledAtShutdownAwaitsWithKindShutdown() throws Exception {
        var started = new CountDownLatch(1);
        var rt = JobRuntime.builder().shutdownGrace(Duration.ZERO).build();
        var h = rt.submit("endless", ctx -> {
            started.countDown();
            return forever();
        });
        await(started);
        rt.close();
        assertThatThrownBy(h::await).isInstanceOfSatisfying(JobCancelledException.class,
                e -> assertThat(e.reason().kind()).isEqualTo(CancellationReason.Kind.SHUTDOWN));
        assertThat(h.record().cancellationReason().cause()).isNull();
    }

    @Test
    void theBodyForksIntoItsRootScopeAndTheRuntimeJoinsItAfterTheBody() throws Exception {
        var forkedRan = new AtomicInteger();
        var release = new CountDownLatch(1);
        try (var rt = JobRuntime.builder().build()) {
            var h = rt.submit("fan-out", ctx -> {
                for (int i = 0; i < 3; i++) {
                    ctx.scope().fork("part-" + i, () -> {
                        release.await();
                        return forkedRan.incrementAndGet();
                    });
                }
                return "body's value";
            });
            until(() -> h.record().progress() != null);
            assertThat(h.record().state()).isEqualTo(JobState.RUNNING); // its forked tasks hold it
            release.countDown();
            assertThat(h.await()).isEqualTo("body's value");
            assertThat(forkedRan).hasValue(3);
        }
    }

    @Test
    void theBodyCannotJoinItsRootScopeButJoinsNestedScopesOfItsOwn() throws Exception {
        try (var rt = JobRuntime.builder().build()) {
            var joinsRoot = rt.submit("joins-root", ctx -> {
                ctx.scope().fork("part", () -> 1);
                return ctx.scope().join();
            });
            assertThat(finished(joinsRoot).state()).isEqualTo(JobState.FAILED);
            assertThat(joinsRoot.record().error().type()).isEqualTo(WrongThreadException.class.getName());

            var joinsNested = rt.submit("joins-nested", ctx -> {
                try (var nested = dev.weft.scope.Scope.named("nested").open(dev.weft.scope.Join.<Integer>allSuccessful())) {
                    nested.fork("a", () -> 1);
                    nested.fork("b", () -> 2);
                    return nested.join().stream().mapToInt(Integer::intValue).sum();
                }
            });
            assertThat(joinsNested.await()).isEqualTo(3);
        }
    }

    @Test
    void aJobWhoseThreadCannotStartEndsFailedAndFreesItsSlot() throws Exception {
        try (var rt = JobRuntime.builder().maxRunning(1).shutdownGrace(Duration.ZERO).build()) {
            var impl = (JobRuntimeImpl) rt;
            var failNext = new java.util.concurrent.atomic.AtomicBoolean(true);
            JobRuntimeImpl.RunnerStarter real = impl.runnerStarter;
            impl.runnerStarter = (name, runner) -> {
                if (failNext.getAndSet(false)) {
                    throw new OutOfMemoryError("test: no thread for " + name);
                }
                real.start(name, runner);
            };
            var events = new java.util.concurrent.CopyOnWriteArrayList<JobEvent>();
            rt.subscribe(events::add);
            var unstarted = rt.submit("unstarted", ctx -> 1);
            var next = rt.submit("next", ctx -> 2);
            JobRecord r = finished(unstarted);
            assertThat(r.state()).isEqualTo(JobState.FAILED);
            assertThat(r.error().type()).isEqualTo(OutOfMemoryError.class.getName());
            assertThatThrownBy(unstarted::await).isInstanceOf(JobFailedException.class)
                    .hasCauseInstanceOf(OutOfMemoryError.class);
            assertThat(next.await()).isEqualTo(2);
            until(() -> events.stream().filter(e -> e.isTerminal()).count() == 2);
        }
    }
}
