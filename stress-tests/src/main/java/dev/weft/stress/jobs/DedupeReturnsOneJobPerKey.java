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
import org.openjdk.jcstress.infra.results.II_Result;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * De-duplication by key is atomic: two concurrent submits with the same key, while the job is queued or running,
 * get the same job, and its body runs once.
 *
 * <p>The race: two actors submit a job with key "k" at the same time. The body blocks until the arbiter
 * releases it, so whichever submit comes second finds the first job queued or running. The arbiter then
 * releases the body, awaits the job, closes the runtime (joining its threads) and reports whether both submits
 * got one id and how often the body ran.
 *
 * <p>Run: {@code ./weft stress -m sanity -t DedupeReturnsOneJobPerKey} (or {@code -m quick} to hunt).
 */
@JCStressTest
@Outcome(id = "1, 1", expect = Expect.ACCEPTABLE, desc = "both submits got the same job, which ran once")
@Outcome(id = "0, 2", expect = Expect.FORBIDDEN, desc = "two jobs with one key were active at once and both ran")
@Outcome(id = "0, 1", expect = Expect.FORBIDDEN, desc = "two jobs with one key were accepted, one ran")
@Outcome(expect = Expect.FORBIDDEN, desc = "any other result: a lost job, a body that ran twice, or an error")
@State
public class DedupeReturnsOneJobPerKey {

    private final JobRuntime runtime = JobRuntime.builder().name("stress").shutdownGrace(Duration.ZERO).build();
    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicInteger runs = new AtomicInteger();
    private JobHandle<Integer> first;
    private JobHandle<Integer> second;

    private JobSpec<Integer> spec() {
        return JobSpec.named("sync").key("k").body(Integer.class, ctx -> {
            runs.incrementAndGet();
            release.await();
            return 1;
        });
    }

    @Actor
    public void submitA() {
        first = runtime.submit(spec());
    }

    @Actor
    public void submitB() {
        second = runtime.submit(spec());
    }

    @Arbiter
    public void arbiter(II_Result r) {
        try {
            r.r1 = first.id().equals(second.id()) ? 1 : 0;
            release.countDown();
            first.awaitCompletion(Duration.ofSeconds(30));
            second.awaitCompletion(Duration.ofSeconds(30));
            r.r2 = runs.get();
        } catch (InterruptedException e) {
            r.r2 = -1;
        } finally {
            runtime.close();
        }
    }
}
