package dev.weft.stress.jobs;

import dev.weft.jobs.JobRejectedException;
import dev.weft.jobs.JobRuntime;
import dev.weft.jobs.JobSpec;
import dev.weft.jobs.JobState;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LLL_Result;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The queue never holds more than {@code maxQueued} jobs, and a submit rejected for a full queue keeps nothing,
 * when submits race for the last place (docs/jobs.md, "Admission").
 *
 * <p>The race: a runtime with {@code maxRunning(1)} and {@code maxQueued(1)} runs a job held by a latch, so the
 * queue has one free place; two actors submit a job each at the same time. Exactly one must be queued and the
 * other rejected with {@link JobRejectedException}. The arbiter reads the runtime's counts (queued, and jobs in
 * all) before releasing the held job, then closes the runtime. With the queue check off by one, every sample of
 * a sanity run queued both.
 *
 * <p>Run: {@code ./weft stress -m sanity -t QueueNeverHoldsMoreThanMaxQueued} (or {@code -m quick} to hunt).
 */
@JCStressTest
@Outcome(id = "queued, rejected, 1 queued of 2", expect = Expect.ACCEPTABLE, desc = "the first actor took the last place")
@Outcome(id = "rejected, queued, 1 queued of 2", expect = Expect.ACCEPTABLE, desc = "the second actor took the last place")
@Outcome(expect = Expect.FORBIDDEN, desc = "both or neither were queued, or a rejected job was kept")
@State
public class QueueNeverHoldsMoreThanMaxQueued {

    private final JobRuntime runtime = JobRuntime.builder().name("stress").maxRunning(1).maxQueued(1)
            .shutdownGrace(Duration.ZERO).build();
    private final CountDownLatch release = new CountDownLatch(1);

    public QueueNeverHoldsMoreThanMaxQueued() {
        runtime.submit(JobSpec.named("held").body(ctx -> {
            release.await();
            return 0;
        }));
    }

    private String submit(String name) {
        try {
            runtime.submit(JobSpec.named(name).body(ctx -> 1));
            return "queued";
        } catch (JobRejectedException e) {
            return "rejected";
        }
    }

    @Actor
    public void submitA(LLL_Result r) {
        r.r1 = submit("a");
    }

    @Actor
    public void submitB(LLL_Result r) {
        r.r2 = submit("b");
    }

    @Arbiter
    public void arbiter(LLL_Result r) {
        try {
            Map<JobState, Long> counts = runtime.counts();
            long all = counts.values().stream().mapToLong(Long::longValue).sum();
            r.r3 = counts.get(JobState.QUEUED) + " queued of " + all;
        } finally {
            release.countDown();
            runtime.close();
        }
    }
}
