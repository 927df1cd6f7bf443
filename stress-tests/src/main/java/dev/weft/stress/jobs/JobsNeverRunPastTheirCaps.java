package dev.weft.stress.jobs;

import dev.weft.jobs.JobHandle;
import dev.weft.jobs.JobRuntime;
import dev.weft.jobs.JobSpec;
import dev.weft.jobs.JobState;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A job runtime never runs more jobs at once than {@code maxRunning}, nor more jobs of one group than {@code
 * maxRunningPerGroup}, whether jobs are admitted by racing submits or started by racing finishes.
 *
 * <p>The race: a runtime with {@code maxRunning(2)} and {@code maxRunningPerGroup(1)}; one actor submits a job of
 * group "x" and then one of group "y", the other a job of group "x" and then one of group "z", so the four
 * admission decisions race. Every body counts itself in, announces that it started and holds its slot until the
 * arbiter releases it. The arbiter waits until two bodies have started and reads how many jobs the runtime has
 * RUNNING: exactly two, the rest queued. It then releases the bodies; the held jobs finish at once, and their
 * finishes race to start the queued jobs in their place. Each body records the most bodies it saw running at once,
 * overall and of group "x". Finally the arbiter waits for the four jobs, closes the runtime and reports the larger
 * of the two overall figures, the most of group "x" and how many bodies ran. Three groups under a cap of two: a
 * broken overall cap shows 3, a broken group cap 2 for "x". With the overall cap's check off by one (where a job
 * is admitted and where a finish starts the next), every sample of a sanity run showed 3; with the group cap's, 30
 * of 112 showed 2 for "x".
 *
 * <p>Run: {@code ./weft stress -m sanity -t JobsNeverRunPastTheirCaps} (or {@code -m quick} to hunt).
 */
@JCStressTest
@Outcome(id = "2, 1, 4", expect = Expect.ACCEPTABLE, desc = "two jobs ran at once, never two of group x, and all four ran")
@Outcome(expect = Expect.FORBIDDEN, desc = "more than two jobs ran at once, two of group x ran at once, a job was lost, or the runtime never started two")
@State
public class JobsNeverRunPastTheirCaps {

    private final JobRuntime runtime = JobRuntime.builder().name("stress").maxRunning(2).maxRunningPerGroup(1)
            .shutdownGrace(Duration.ZERO).build();
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger mostRunning = new AtomicInteger();
    private final AtomicInteger runningX = new AtomicInteger();
    private final AtomicInteger mostRunningX = new AtomicInteger();
    private final AtomicInteger ran = new AtomicInteger();
    private final CountDownLatch twoStarted = new CountDownLatch(2);
    private final CountDownLatch release = new CountDownLatch(1);
    private JobHandle<Integer> a1, a2, b1, b2;

    private JobSpec<Integer> job(String group) {
        boolean x = group.equals("x");
        return JobSpec.named("capped-" + group).group(group).body(ctx -> {
            mostRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
            if (x) {
                mostRunningX.accumulateAndGet(runningX.incrementAndGet(), Math::max);
            }
            twoStarted.countDown();
            release.await();
            if (x) {
                runningX.decrementAndGet();
            }
            running.decrementAndGet();
            ran.incrementAndGet();
            return 1;
        });
    }

    @Actor
    public void submitXThenY() {
        a1 = runtime.submit(job("x"));
        a2 = runtime.submit(job("y"));
    }

    @Actor
    public void submitXThenZ() {
        b1 = runtime.submit(job("x"));
        b2 = runtime.submit(job("z"));
    }

    @Arbiter
    public void arbiter(III_Result r) {
        try {
            if (!twoStarted.await(30, TimeUnit.SECONDS)) {
                r.r1 = -1; // the runtime never ran two jobs at once: FORBIDDEN
                return;
            }
            long runningAtOnce = runtime.counts().get(JobState.RUNNING);
            release.countDown();
            for (JobHandle<Integer> h : List.of(a1, a2, b1, b2)) {
                if (!h.awaitCompletion(Duration.ofSeconds(30))) {
                    r.r3 = -1; // a job never finished: FORBIDDEN
                    return;
                }
            }
            r.r1 = (int) Math.max(runningAtOnce, mostRunning.get());
            r.r2 = mostRunningX.get();
            r.r3 = ran.get();
        } catch (InterruptedException e) {
            r.r3 = -2;
        } finally {
            release.countDown();
            runtime.close();
        }
    }
}
