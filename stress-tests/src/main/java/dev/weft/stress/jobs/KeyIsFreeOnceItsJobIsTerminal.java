package dev.weft.stress.jobs;

import dev.weft.jobs.JobHandle;
import dev.weft.jobs.JobRuntime;
import dev.weft.jobs.JobSpec;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZZI_Result;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A job's de-duplication key is free from the moment its terminal state is visible (docs/jobs.md): a submit with
 * that key made after the caller saw the job terminal starts a new job; one made while the job is still active
 * gets that job.
 *
 * <p>The race: a job with key "k" runs, its body held by a latch. One actor opens the latch, so the job ends; the
 * other reads the job's state and then submits another job with key "k". The arbiter waits for the second
 * handle's job, closes the runtime and reports whether the actor saw the first job terminal, whether its submit
 * got the first job back, and how often the second body ran. Seeing the first job terminal and still getting it
 * back would mean that the key outlived the state change. With the key freed only when the runner has finished
 * the job (not as soon as its state is terminal), a quick run showed that outcome in about 470 of 4.7M samples;
 * a sanity run is too short to.
 *
 * <p>Run: {@code ./weft stress -m sanity -t KeyIsFreeOnceItsJobIsTerminal} (or {@code -m quick} to hunt).
 */
@JCStressTest
@Outcome(id = "false, true, 0", expect = Expect.ACCEPTABLE, desc = "the first job was still active: the submit got it back")
@Outcome(id = "false, false, 1", expect = Expect.ACCEPTABLE, desc = "the first job ended between the read and the submit: a new job ran")
@Outcome(id = "true, false, 1", expect = Expect.ACCEPTABLE, desc = "seen terminal, then a new job with the key ran")
@Outcome(expect = Expect.FORBIDDEN, desc = "the key was still held after the job was seen terminal, or a handle and its body disagree")
@State
public class KeyIsFreeOnceItsJobIsTerminal {

    private final JobRuntime runtime = JobRuntime.builder().name("stress").shutdownGrace(Duration.ZERO).build();
    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicInteger secondRuns = new AtomicInteger();
    private final JobHandle<Integer> first = runtime.submit(JobSpec.named("keyed").key("k").body(Integer.class, ctx -> {
        release.await();
        return 1;
    }));
    private JobHandle<Integer> second;

    @Actor
    public void finish() {
        release.countDown();
    }

    @Actor
    public void resubmit(ZZI_Result r) {
        r.r1 = first.record().state().isTerminal();
        second = runtime.submit(JobSpec.named("keyed").key("k").body(Integer.class, ctx -> {
            secondRuns.incrementAndGet();
            return 2;
        }));
        r.r2 = second.id().equals(first.id());
    }

    @Arbiter
    public void arbiter(ZZI_Result r) {
        try {
            release.countDown();
            if (!second.awaitCompletion(Duration.ofSeconds(30))) {
                r.r3 = -1; // the job never finished: FORBIDDEN
                return;
            }
            r.r3 = secondRuns.get();
        } catch (InterruptedException e) {
            r.r3 = -2;
        } finally {
            runtime.close();
        }
    }
}
