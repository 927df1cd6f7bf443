package dev.weft.stress.jobs;

import dev.weft.jobs.JobHandle;
import dev.weft.jobs.JobRuntime;
import dev.weft.jobs.JobSpec;
import dev.weft.jobs.ShutdownReport;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LLL_Result;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * When {@code shutdown} returns, every job of the runtime is terminal, even a queued job whose own cancel races
 * with the shutdown (docs/jobs.md, "Shutdown").
 *
 * <p>The race: a runtime with {@code maxRunning(1)} runs a job that blocks until it is interrupted and holds a
 * second job queued behind it. One actor cancels the queued job; the other shuts the runtime down with no grace
 * and, as soon as {@code shutdown} returns, reads the state of both jobs. Whichever cancel comes first ends the
 * queued job; the other finds it cancelled already. Shutdown must not return before the queued job is terminal,
 * whoever cancelled it, and it reports the job among those it cancelled exactly when the user's cancel lost.
 *
 * <p>Run: {@code ./weft stress -m sanity -t ShutdownReturnsOnlyWhenEveryJobIsTerminal} (or {@code -m quick} to
 * hunt).
 */
@JCStressTest
@Outcome(id = "true, CANCELLED CANCELLED, false", expect = Expect.ACCEPTABLE, desc = "the user's cancel ended the queued job; shutdown then cancelled the running one")
@Outcome(id = "false, CANCELLED CANCELLED, true", expect = Expect.ACCEPTABLE, desc = "shutdown cancelled both jobs; the user's cancel found the queued one ended")
@Outcome(expect = Expect.FORBIDDEN, desc = "shutdown returned with a job not terminal, or its report or the cancel's answer disagree with who cancelled")
@State
public class ShutdownReturnsOnlyWhenEveryJobIsTerminal {

    private final JobRuntime runtime = JobRuntime.builder().name("stress").maxRunning(1)
            .shutdownGrace(Duration.ZERO).build();
    private final JobHandle<Integer> running = runtime.submit(JobSpec.named("blocker").body(ctx -> {
        new CountDownLatch(1).await(); // until shutdown's cancel interrupts it
        return 0;
    }));
    private final JobHandle<Integer> queued = runtime.submit(JobSpec.named("queued").body(ctx -> 1));

    @Actor
    public void cancelQueued(LLL_Result r) {
        r.r1 = String.valueOf(queued.cancel("user"));
    }

    @Actor
    public void shutDown(LLL_Result r) {
        try {
            ShutdownReport report = runtime.shutdown(Duration.ZERO);
            r.r2 = queued.record().state() + " " + running.record().state();
            r.r3 = String.valueOf(report.cancelledQueued().contains(queued.id()));
        } catch (InterruptedException e) {
            r.r2 = "shutdown interrupted";
        }
    }

    @Arbiter
    public void arbiter() {
        runtime.close(); // a no-op after shutdown; it keeps a failed iteration from leaking threads
    }
}
