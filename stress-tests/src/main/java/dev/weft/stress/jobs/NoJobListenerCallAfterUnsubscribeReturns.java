package dev.weft.stress.jobs;

import dev.weft.jobs.JobHandle;
import dev.weft.jobs.JobRuntime;
import dev.weft.jobs.JobSpec;
import dev.weft.jobs.JobSubscription;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * When a job listener's {@link JobSubscription#close()} returns, the listener is not running and is never called
 * again, however the close races with the events its delivery thread is handing over (docs/jobs.md, "Events").
 *
 * <p>The race: a listener that takes a moment per event is subscribed to a runtime. One actor submits a job, whose
 * SUBMITTED, STARTED and FINISHED events go to the subscription's backlog and from there, on the subscription's
 * own thread, to the listener; the other actor closes the subscription and at once records whether the listener
 * is running and how often it has been called. The arbiter waits for the job, closes the runtime (which delivers
 * every remaining event of live subscriptions) and counts the calls again: a call after close returned shows as a
 * difference.
 *
 * <p>Run: {@code ./weft stress -m sanity -t NoJobListenerCallAfterUnsubscribeReturns} (or {@code -m quick} to
 * hunt).
 */
@JCStressTest
@Outcome(id = "0, 0", expect = Expect.ACCEPTABLE, desc = "the listener was idle when close returned and was not called after")
@Outcome(expect = Expect.FORBIDDEN, desc = "the listener was running when close returned, or was called after")
@State
public class NoJobListenerCallAfterUnsubscribeReturns {

    private final JobRuntime runtime = JobRuntime.builder().name("stress").shutdownGrace(Duration.ZERO)
            .progressInterval(Duration.ofHours(1)).build();
    private final AtomicInteger calls = new AtomicInteger();
    private volatile boolean inListener;
    private final JobSubscription subscription = runtime.subscribe(event -> {
        inListener = true;
        calls.incrementAndGet();
        for (int i = 0; i < 200; i++) {
            Thread.onSpinWait(); // a listener that takes a moment, so that a close can land inside it
        }
        inListener = false;
    });
    private volatile JobHandle<Integer> job;
    private int callsWhenClosed;

    @Actor
    public void submit() {
        job = runtime.submit(JobSpec.named("job").body(ctx -> 1));
    }

    @Actor
    public void unsubscribe(II_Result r) {
        subscription.close();
        r.r1 = inListener ? 1 : 0;
        callsWhenClosed = calls.get();
    }

    @Arbiter
    public void arbiter(II_Result r) {
        try {
            if (!job.awaitCompletion(Duration.ofSeconds(30))) {
                r.r2 = -1; // the job never finished: FORBIDDEN
                return;
            }
        } catch (InterruptedException e) {
            r.r2 = -2;
            return;
        } finally {
            runtime.close();
        }
        r.r2 = calls.get() - callsWhenClosed;
    }
}
