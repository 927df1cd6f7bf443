package dev.weft.stress.jobs;

import dev.weft.jobs.JobHandle;
import dev.weft.jobs.JobRecord;
import dev.weft.jobs.JobRuntime;
import dev.weft.jobs.JobSpec;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A retry re-queues a failed job exactly once: of two concurrent {@code retry} calls on one FAILED job, exactly one
 * succeeds and the other is refused, the job runs again once, under its id, with one earlier run.
 *
 * <p>The race: the state's job has failed its first run. Two actors call {@code runtime.retry(id)} at once. The
 * second run blocks until the arbiter releases it, so a late retry finds the job queued or running, never failed
 * again. The arbiter then releases it, awaits the job through {@code runtime.handle(id)}, closes the runtime and
 * reports which retries succeeded, how often the body ran after the first run, and how many earlier runs the
 * job's record lists.
 *
 * <p>Run: {@code ./weft stress -m sanity -t RetryRequeuesOnce} (or {@code -m quick} to hunt).
 */
@JCStressTest
@Outcome(id = {"1, 0, 1, 1", "0, 1, 1, 1"}, expect = Expect.ACCEPTABLE,
        desc = "one retry re-queued the job, the other was refused; the job ran again once, with one earlier run")
@Outcome(id = "1, 1, .*", expect = Expect.FORBIDDEN, desc = "both retries succeeded")
@Outcome(id = "0, 0, .*", expect = Expect.FORBIDDEN, desc = "both retries were refused")
@Outcome(expect = Expect.FORBIDDEN, desc = "any other result: a second run, a lost run, a wrong history, an error")
@State
public class RetryRequeuesOnce {

    private final JobRuntime runtime = JobRuntime.builder().name("stress").shutdownGrace(Duration.ZERO).build();
    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicInteger runs = new AtomicInteger();
    private final String id;

    public RetryRequeuesOnce() {
        JobHandle<Integer> job = runtime.submit(JobSpec.named("flaky").body(Integer.class, ctx -> {
            if (runs.incrementAndGet() == 1) {
                throw new IllegalStateException("first run fails");
            }
            release.await();
            return 2;
        }));
        try {
            job.awaitCompletion(Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        id = job.id();
    }

    private int retry() {
        try {
            runtime.retry(id);
            return 1;
        } catch (IllegalStateException refused) {
            return 0;
        }
    }

    @Actor
    public void retryA(IIII_Result r) {
        r.r1 = retry();
    }

    @Actor
    public void retryB(IIII_Result r) {
        r.r2 = retry();
    }

    @Arbiter
    public void arbiter(IIII_Result r) {
        try {
            release.countDown();
            JobHandle<?> now = runtime.handle(id).orElseThrow();
            now.awaitCompletion(Duration.ofSeconds(30));
            JobRecord record = runtime.get(id);
            r.r3 = runs.get() - 1;
            r.r4 = record.attempt() == 2 ? record.earlierRuns().size() : -record.attempt();
        } catch (InterruptedException e) {
            r.r3 = -1;
        } finally {
            runtime.close();
        }
    }
}
